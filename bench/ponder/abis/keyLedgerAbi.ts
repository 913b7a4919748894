export { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
