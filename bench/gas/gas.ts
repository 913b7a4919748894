/**
 * Gas benchmark: KeyLedger's worst-case gas per operation next to ERC721A's bulk mint, measured
 * on the in-process chain in one run (see scripts/gas/measureGas.ts).
 *
 *   npx tsx bench/gas/gas.ts [--json]
 */
import { pathToFileURL } from "node:url";
import type { BenchOptions, BenchResult } from "../types.js";
import { measureGas } from "../../scripts/gas/measureGas.js";

/**
 * Runs the gas report and returns its figures as benchmark rows, each with ERC721A minting 100
 * tokens as the anchor (lower is better for every row).
 *
 * @param _opts Benchmark options (the gas figures are exact; `quick` changes nothing).
 * @returns One row per operation, plus the per-key comparison at 1M keys.
 * @example
 * const rows = await run({});
 */
export async function run(_opts: BenchOptions = {}): Promise<BenchResult[]> {
  const r = await measureGas();
  const a = { name: "ERC721A mint 100 tokens (gas)", value: r.erc721aMint100.gas };
  const row = (name: string, gas: number, notes: string): BenchResult => ({
    name,
    unit: "gas",
    value: gas,
    anchor: a,
    ratio: gas / a.value,
    notes: `${notes}; lower is better`,
  });
  const perKey = r.budgets.anchorPerKey1MvsErc721aPerToken;
  return [
    row(
      "anchor a batch (worst of 1, 1M, 2^40 keys)",
      r.anchor.gas,
      `budget <= 130,000: ${r.budgets.anchor.pass ? "pass" : "FAIL"}`,
    ),
    {
      name: "anchor cost per key at 1M keys",
      unit: "gas/key",
      value: perKey.ours,
      anchor: { name: "ERC721A mint cost per token (100 in one call)", value: perKey.anchor },
      ratio: perKey.ratio,
      notes: "lower is better",
    },
    row(
      "transfer splitting one segment in three",
      r.transferSplit3.gas,
      `budget <= 90,000: ${r.budgets.transferSplit3.pass ? "pass" : "FAIL"}`,
    ),
    row("transferMany, 10 ranges", r.transferMany10.gas, "each range splits a segment in three"),
    row(
      "redeem 256 keys in one call",
      r.redeem256.gas,
      `budget <= 51,000: ${r.budgets.redeem256.pass ? "pass" : "FAIL"}`,
    ),
    row(
      "redeem 256 keys, worst case (delegated redeemer, revoked batch)",
      r.redeem256Worst.gas,
      "no single-call budget",
    ),
    row("revoke a range (regulator, split in three)", r.revoke.gas, "freezes the range"),
    row("OpenZeppelin ERC721 mint 100 tokens", r.ozErc721Mint100.gas, "second anchor"),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = await run({ json: process.argv.includes("--json") });
  process.stdout.write(
    process.argv.includes("--json")
      ? `${JSON.stringify(rows, null, 2)}\n`
      : rows
          .map((x) => `${x.name}: ${x.value} ${x.unit} (anchor ${x.anchor?.value}, ratio ${x.ratio?.toFixed(4)})`)
          .join("\n") + "\n",
  );
  process.exit(0);
}
