/**
 * CLI start-up: how long `keytrail` takes from the shell, end to end (a new process each run,
 * median of N), against the start-up of a compiled command-line tool measured in the same run.
 *
 * - `keytrail --help` (target < 300 ms on Node 24, warm), `keytrail --version`, `keytrail verify --help`;
 * - `keytrail verify <link> --json` end to end: a full-form link (proof in the link) of a batch
 *   anchored on a local Hardhat node, verified against that chain.
 * Anchor: `cast --version` (Foundry) when installed (PATH or node_modules/.bin); otherwise
 * `node -e 0`, the floor of any Node program, and the notes say so.
 * The CLI bundle and Node's compile cache are warmed by one untimed run of each command first.
 *
 *   npx tsx bench/cli/startup.ts [--quick] [--json]
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startLocalNode } from "../../scripts/chain/startLocalNode.js";
import type { BenchOptions, BenchResult } from "../types.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const KEYTRAIL = join(ROOT, "scripts", "keytrail.mjs");
const SUPPLIER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // the local chain's account 1

type Cmd = { file: string; args: string[] };

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("KEYTRAIL_") && k !== "NODE_OPTIONS") e[k] = v;
  return { ...e, FORCE_COLOR: "0" };
}

/** Runs a command to its end; rejects on a non-zero exit. Returns stdout and the wall time in ms. */
function timed(cmd: Cmd, cwd: string): Promise<{ ms: number; stdout: string }> {
  return new Promise((res, rej) => {
    const t = performance.now();
    const child = spawn(cmd.file, cmd.args, { cwd, env: env(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("error", rej);
    child.on("close", (code) => {
      const ms = performance.now() - t;
      if (code === 0) res({ ms, stdout });
      else rej(new Error(`${cmd.file} ${cmd.args.join(" ")} exited ${code}: ${stderr.trim()}`));
    });
  });
}

/** Median wall time of `runs` sequential runs, after one untimed warm-up run. */
async function median(cmd: Cmd, cwd: string, runs: number): Promise<number> {
  await timed(cmd, cwd);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(cmd, cwd)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** `cast` from PATH or node_modules/.bin, when installed. */
function findCast(): string | undefined {
  const dirs = [join(ROOT, "node_modules", ".bin"), ...(process.env.PATH ?? "").split(delimiter)];
  for (const d of dirs) {
    const bin = join(d, "cast");
    if (d && existsSync(bin) && spawnSync(bin, ["--version"]).status === 0) return bin;
  }
  return undefined;
}

const keytrail = (...args: string[]): Cmd => ({ file: process.execPath, args: [KEYTRAIL, ...args] });

/** A local chain with one anchored batch, and the full-form link of one of its keys. */
async function setUpLink(cwd: string): Promise<{ link: string; stop: () => Promise<void> }> {
  const node = await startLocalNode();
  try {
    const run = (...args: string[]) => timed(keytrail(...args), cwd);
    await run("init", "--chain", "31337", "--rpc", node.url, "--portal", "https://verify.example.com");
    await run("deploy", "--account", "0");
    await run("party", "register", SUPPLIER, "--kind", "supplier", "--account", "0");
    const lines = ["卡号,卡密"];
    for (let i = 0; i < 200; i++) lines.push(`${6200000000000000 + i},PIN${String(i).padStart(13, "0")}`);
    writeFileSync(join(cwd, "keys.csv"), `${lines.join("\n")}\n`);
    await run(
      "batch",
      "seal",
      "keys.csv",
      "--label",
      "bench-startup",
      "--product",
      "06901234567892",
      "--face",
      "50",
      "--currency",
      "CNY",
      "--expires",
      "2030-12-31",
      "--out",
      "out/A",
      "--account",
      "1",
      // "PIN" + 13 digits is about 57 bits: refused by default, fine for a timing bench
      "--allow-weak-keys",
    );
    await run("batch", "anchor", "out/A", "--account", "1");
    const link = (await run("batch", "link", "--batch-dir", "out/A", "--index", "7", "--full")).stdout.trim();
    return { link, stop: () => node.stop() };
  } catch (e) {
    await node.stop();
    throw e;
  }
}

/**
 * Runs the start-up benchmarks.
 *
 * @param opts - quick: fewer runs.
 * @returns one result per command.
 * @example
 * const results = await run({ quick: true });
 */
export async function run(opts: BenchOptions = {}): Promise<BenchResult[]> {
  const runs = opts.quick ? 5 : 15;
  const cwd = mkdtempSync(join(tmpdir(), "keytrail-bench-startup-"));
  mkdirSync(join(cwd, "out"), { recursive: true });
  const results: BenchResult[] = [];
  const cast = findCast();
  const anchorCmd: Cmd = cast ? { file: cast, args: ["--version"] } : { file: process.execPath, args: ["-e", "0"] };
  const anchorName = cast
    ? "cast --version (Foundry, compiled)"
    : "node -e 0 (cast not installed: the floor of any Node program)";
  const push = (r: BenchResult) => {
    results.push(r);
    if (!opts.json)
      console.log(
        `${r.name}: ${r.value.toFixed(0)} ${r.unit}${r.anchor ? ` (anchor ${r.anchor.name}: ${r.anchor.value.toFixed(0)}, ratio ${r.ratio!.toFixed(2)})` : ""}`,
      );
  };
  const { link, stop } = await setUpLink(cwd);
  try {
    const cases: [string, Cmd, string][] = [
      ["keytrail --help", keytrail("--help"), "target < 300 ms on Node 24"],
      ["keytrail --version", keytrail("--version"), ""],
      ["keytrail verify --help", keytrail("verify", "--help"), "loads the commands' modules"],
      [
        "keytrail verify <link> --json, local chain",
        keytrail("verify", link, "--json"),
        "end to end: decode, proof, chain reads, verdict",
      ],
    ];
    for (const [name, cmd, note] of cases) {
      const ours = await median(cmd, cwd, runs);
      const anchor = await median(anchorCmd, cwd, runs);
      push({
        name: `${name} (median of ${runs} runs)`,
        unit: "ms",
        value: ours,
        anchor: { name: anchorName, value: anchor },
        ratio: ours / anchor,
        notes: `lower is better; new process each run, Node ${process.version}${note ? `; ${note}` : ""}`,
      });
    }
  } finally {
    await stop();
    rmSync(cwd, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const results = await run({ quick: process.argv.includes("--quick"), json: process.argv.includes("--json") });
  if (process.argv.includes("--json")) console.log(JSON.stringify(results, null, 2));
}
