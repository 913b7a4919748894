/**
 * Gas report: worst-case gas per KeyLedger (v1) operation on the in-process chain, with the ERC721 and
 * ERC721A anchors measured in the same run, then the KeyLedger v2 budget table (measured vs budget),
 * each checked against its budgets. `--json FILE` writes the v1 figures with the v2 table under `v2`.
 *
 *   npx tsx scripts/gas/main.ts [--json FILE]
 *
 * Exits 1 when a budget (v1 or v2) is broken.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { measureGas } from "./measureGas.js";
import { measureGasV2 } from "./measureGasV2.js";

const argv = process.argv.slice(2);
const jsonAt = argv.indexOf("--json");
const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
if (jsonAt >= 0 && (!jsonFile || jsonFile.startsWith("--"))) {
  process.stderr.write("--json needs a file name, e.g. --json out/gas.json\n");
  process.exit(2);
}

const report = await measureGas();
const v2 = await measureGasV2();
const fmt = (n: number) => n.toLocaleString("en-US");
process.stdout.write("KeyLedger v1\n");
for (const [name, v] of Object.entries(report)) {
  if (name === "budgets" || typeof v !== "object" || !("gas" in v)) continue;
  process.stdout.write(`${name.padEnd(22)} ${fmt(v.gas).padStart(12)} gas${v.notes ? `  (${v.notes})` : ""}\n`);
}
const { budgets } = report;
for (const b of [budgets.anchor, budgets.transferSplit3, budgets.redeem256, budgets.redeemAmortised]) {
  process.stdout.write(`${b.pass ? "ok  " : "FAIL"} ${b.rule}: ${fmt(b.value)} / ${fmt(b.limit)}\n`);
}
const r = budgets.anchorPerKey1MvsErc721aPerToken;
process.stdout.write(
  `anchoring 1M keys costs ${r.ours.toFixed(4)} gas per key; ERC721A mints at ${r.anchor.toFixed(0)} gas per token: ratio ${r.ratio.toExponential(3)}\n`,
);
process.stdout.write("\nKeyLedger v2 (receipt gas: 21,000 + calldata + execution)\n");
const cells = v2.budgets.map((b) => [
  b.pass ? "met" : "NOT MET",
  b.rule,
  `${fmt(b.value)} ${b.unit}`,
  `${fmt(b.limit)} ${b.unit}`,
  b.notes ?? "",
]);
const head = ["status", "budget", "measured", "limit", "notes"];
const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
for (const line of [head, ...cells]) {
  process.stdout.write(
    `${line
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd()}\n`,
  );
}
const one = v2.sellOneKey;
process.stdout.write(
  `NOT MET  sell one key alone (the brief's ${fmt(one.budget)}; out of reach with this interface, docs/LEDGER-V2.md "Gas"): ` +
    `${fmt(one.first)} gas (first sale of the batch) / ${fmt(one.later)} (a later sale) / ` +
    `${fmt(one.nextAfterOne)} (the key after one sold alone)\n`,
);
if (jsonFile) {
  mkdirSync(dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, `${JSON.stringify({ ...report, v2 }, null, 2)}\n`);
  process.stdout.write(`wrote ${jsonFile}\n`);
}
process.exit(budgets.pass && v2.pass ? 0 : 1);
