/**
 * Runs one seal in a fresh process (so its peak RSS is its own) and prints one JSON line:
 * { ms, count, root, maxRssMiB, cpuMs, timings }. Usage: tsx bench/seal/_sealChild.ts <keys.csv> <outDir> [urls=0|1]
 */
import { sealBatch } from "../../scripts/seal/sealBatch.js";

const [input, outDir, urls] = process.argv.slice(2) as [string, string, string | undefined];
const cpu0 = process.cpuUsage();
const t = performance.now();
const r = await sealBatch({
  input,
  outDir,
  label: `bench ${Date.now()}`,
  supplier: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  chainId: 31337,
  ledger: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  productId: "06901234567892",
  gtin: "06901234567892",
  faceValue: 5000n,
  currency: "CNY",
  expiresAt: 2_082_758_399, // 2035-12-31T23:59:59Z: in the future (a past expiry is refused)
  restricted: false,
  portalBase: "https://verify.example",
  urls: urls === "1",
});
const ms = performance.now() - t;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ ms, count: r.count, root: r.root, maxRssMiB: process.resourceUsage().maxRSS / 1024, cpuMs: (cpu.user + cpu.system) / 1000, timings: r.timings, reader: r.keyFile.reader })}\n`,
);
