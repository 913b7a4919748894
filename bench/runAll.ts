/**
 * `npm run bench`: every benchmark of the project in one run, each with its anchor measured in the
 * same run and the ratio.
 *
 *   npm run bench                      all benchmarks, full size
 *   npm run bench -- --quick           smaller inputs (smoke run)
 *   npm run bench -- --only seal,gas   some areas (folder names under bench/)
 *   npm run bench -- --json FILE       also write { results: [...] } as JSON
 *   npm run bench -- --no-docs         do not rewrite docs/BENCHMARKS.md and docs/benchmarks.svg
 *
 * Each area is a folder bench/<area>/ whose modules export `run(opts): Promise<BenchResult[]>`.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { useRunTempDir } from "../scripts/util/runTempDir.js";
import type { BenchResult } from "./types.js";

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const value = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag("--quick");
const jsonFile = value("--json");
const only = value("--only")?.split(",");
const writeDocs = !flag("--no-docs");
// The benchmarks' 1M-key files, databases and exports go to one folder of this run, removed at the end.
const runTmp = useRunTempDir("keytrail-bench-");

/** Order in which areas run (cheap, isolated ones first); unknown areas run after, by name. */
const ORDER = ["gas", "seal", "payload", "cli", "audit", "indexer", "portal", "gateway"];
const SKIP_DIRS = new Set(["ponder", "node_modules"]);

const benchRoot = resolve(import.meta.dirname);
const areas = readdirSync(benchRoot, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !SKIP_DIRS.has(d.name))
  .map((d) => d.name)
  .filter((a) => !only || only.includes(a))
  .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));

type Row = BenchResult & { area: string };
const rows: Row[] = [];
const failures: string[] = [];

for (const area of areas) {
  const files = readdirSync(join(benchRoot, area)).filter(
    (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.startsWith("_"),
  );
  for (const file of files) {
    const path = join(benchRoot, area, file);
    type BenchModule = { run?: (o: { quick: boolean; json: boolean }) => Promise<BenchResult[]> };
    let mod: BenchModule;
    try {
      mod = (await import(pathToFileURL(path).href)) as BenchModule;
    } catch (e) {
      // A module that cannot load is one failure of the run, not the end of it.
      const msg = e instanceof Error ? e.message : String(e);
      failures.push(`${area}/${file} (loading): ${msg}`);
      process.stdout.write(`\n=== bench ${area}/${file} ===\n    FAILED to load: ${msg}\n`);
      continue;
    }
    if (typeof mod.run !== "function") continue;
    process.stdout.write(`\n=== bench ${area}/${file} ${quick ? "(quick)" : ""} ===\n`);
    const t = Date.now();
    try {
      const results = await mod.run({ quick, json: Boolean(jsonFile) });
      for (const r of results) rows.push({ ...r, area });
      process.stdout.write(`    ${results.length} results in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      failures.push(`${area}/${file}: ${msg}`);
      process.stdout.write(`    FAILED: ${msg}\n`);
    }
  }
}

const fmt = (v: number) =>
  Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US") : Math.abs(v) >= 10 ? v.toFixed(1) : v.toPrecision(3);

const fmtRatio = (r: number) => `${r !== 0 && Math.abs(r) < 0.01 ? r.toExponential(2) : r.toFixed(2)}x`;

const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown cpu"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}-${process.arch}`;
const header =
  "| area | benchmark | ours | unit | anchor | anchor value | ratio | notes |\n|---|---|---:|---|---|---:|---:|---|";
const table = rows
  .map(
    (r) =>
      `| ${r.area} | ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.anchor?.name ?? ""} | ${r.anchor ? fmt(r.anchor.value) : ""} | ${r.ratio !== undefined ? fmtRatio(r.ratio) : ""} | ${r.notes ?? ""} |`,
  )
  .join("\n");

process.stdout.write(`\n${header}\n${table}\n`);
if (failures.length) process.stdout.write(`\nFailed benchmarks:\n- ${failures.join("\n- ")}\n`);

if (jsonFile) {
  mkdirSync(dirname(resolve(jsonFile)), { recursive: true });
  writeFileSync(
    jsonFile,
    JSON.stringify({ machine, quick, date: new Date().toISOString(), results: rows, failures }, null, 2) + "\n",
  );
  process.stdout.write(`\nwrote ${jsonFile}\n`);
}

/** A horizontal bar chart of the ratios (ours / anchor), log scale, as a standalone SVG. */
function ratioChart(data: Row[]): string {
  const items = data.filter((r) => r.ratio !== undefined && r.ratio > 0 && Number.isFinite(r.ratio));
  const w = 860;
  const barH = 22;
  const left = 360;
  const h = 60 + items.length * (barH + 6);
  const maxLog = Math.max(1, ...items.map((r) => Math.abs(Math.log10(r.ratio!))));
  const mid = left + (w - left - 20) / 2;
  const scale = (w - left - 40) / 2 / maxLog;
  const esc = (s: string) =>
    s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
  const bars = items
    .map((r, i) => {
      const y = 40 + i * (barH + 6);
      const lg = Math.log10(r.ratio!);
      const x = lg >= 0 ? mid : mid + lg * scale;
      const bw = Math.max(1, Math.abs(lg) * scale);
      const colour = lg >= 0 ? "#1a7f37" : "#cf222e";
      return (
        `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12">${esc(`${r.area}: ${r.name}`.slice(0, 56))}</text>` +
        `<rect x="${x.toFixed(1)}" y="${y}" width="${bw.toFixed(1)}" height="${barH}" fill="${colour}"/>` +
        `<text x="${(lg >= 0 ? x + bw + 4 : x - 4).toFixed(1)}" y="${y + 15}" text-anchor="${lg >= 0 ? "start" : "end"}" font-size="11">${fmtRatio(r.ratio!)}</text>`
      );
    })
    .join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="22" font-size="14" font-weight="bold">KeyTrail vs anchors, same run (ratio, log scale; right of the line = ours better where higher is better)</text>
<line x1="${mid}" y1="32" x2="${mid}" y2="${h - 8}" stroke="#888"/>
${bars}
</svg>\n`;
}

if (writeDocs && rows.length && !only) {
  mkdirSync("docs", { recursive: true });
  writeFileSync(join("docs", "benchmarks.svg"), ratioChart(rows));
  const md = `# Benchmarks

Written by \`npm run bench${quick ? " -- --quick" : ""}\` on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine}.

Every row is measured in the same run as its anchor. For rates, ratio = ours / anchor (higher is
better); for latencies, sizes and gas, the notes say which way is better.

${header}
${table}
${failures.length ? `\nFailed in this run:\n- ${failures.join("\n- ")}\n` : ""}
![ratios](benchmarks.svg)
`;
  writeFileSync(join("docs", "BENCHMARKS.md"), md);
  process.stdout.write("wrote docs/BENCHMARKS.md and docs/benchmarks.svg\n");
}

const kept = runTmp.finish(failures.length > 0);
if (kept) process.stdout.write(`${kept}\n`);
process.exit(failures.length ? 1 : 0);
