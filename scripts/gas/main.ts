/**
 * Gas report: worst-case gas per KeyLedger operation on the in-process chain, with the ERC721 and
 * ERC721A anchors measured in the same run, checked against the budgets.
 *
 *   npx tsx scripts/gas/main.ts [--json FILE]
 *
 * Exits 1 when a budget is broken.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { measureGas } from "./measureGas.js";

const argv = process.argv.slice(2);
const jsonAt = argv.indexOf("--json");
const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
if (jsonAt >= 0 && (!jsonFile || jsonFile.startsWith("--"))) {
  process.stderr.write("--json needs a file name, e.g. --json out/gas.json\n");
  process.exit(2);
}

const report = await measureGas();
const fmt = (n: number) => n.toLocaleString("en-US");
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
if (jsonFile) {
  mkdirSync(dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`wrote ${jsonFile}\n`);
}
process.exit(budgets.pass ? 0 : 1);
