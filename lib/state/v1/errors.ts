// Version 1 snapshots raise the same error class as version 2 ones.
export { InvalidSnapshotError } from "../errors.js";
