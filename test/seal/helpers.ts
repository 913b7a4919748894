import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SealParameters } from "../../scripts/seal/types.js";

export const SUPPLIER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" as const;
export const LEDGER = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const;
export const SAMPLE = new URL("../fixtures/seal/sample-keys.csv", import.meta.url).pathname;

/** A fresh temporary folder for one test. */
export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `keytrail-${name}-`));
}

/** Seal parameters with test defaults. */
export function sealParams(input: string, outDir: string, extra: Partial<SealParameters> = {}): SealParameters {
  return {
    input,
    outDir,
    label: "2026-11 test",
    supplier: SUPPLIER,
    chainId: 31337,
    ledger: LEDGER,
    productId: "SKU-991",
    faceValue: 5000n,
    currency: "CNY",
    expiresAt: 2_082_758_399, // 2035-12-31T23:59:59Z: in the future (a past expiry is refused)
    restricted: false,
    portalBase: "https://verify.example",
    ...extra,
  };
}
