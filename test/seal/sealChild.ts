/** Child process of the kill test: seals argv[2] into argv[3], printing "progress" once hashing runs. */
import { sealBatch } from "../../scripts/seal/sealBatch.js";
import { sealParams } from "./helpers.js";

const [input, out] = process.argv.slice(2) as [string, string];
let said = false;
await sealBatch(
  sealParams(input, out, {
    workers: 2,
    onProgress: () => {
      if (!said) process.stdout.write("progress\n");
      said = true;
    },
  }),
);
