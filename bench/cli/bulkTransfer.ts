/**
 * `keytrail transfer --file` with N single-key rows (10,000; 2,000 with --quick), end to end from the
 * shell on a local Hardhat node (automine): orders/s, transactions, gas per order.
 *
 * - ours: a KeyLedger v2, where the file runs on the gateway's engine (outbox, transferMany per window
 *   of --chunk-size rows, transactions pipelined without waiting for each receipt);
 * - anchor, same run: the same file on a KeyLedger v1 through the journaled path (one transferMany
 *   per chunk of --chunk-size rows, each awaited), the code v2 files also ran on before the engine;
 * - the reference point, a past figure (not this run): 205 orders/s in 200 transactions at
 *   75,400 gas per order for 10,000 single-key orders.
 *
 * Both runs use the default --chunk-size (50 rows per transaction).
 *
 *   npx tsx bench/cli/bulkTransfer.ts [--quick] [--json]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createPublicClient, http, type Address, type Hex } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { startLocalNode } from "../../scripts/chain/startLocalNode.js";
import type { BenchOptions, BenchResult } from "../types.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const KEYTRAIL = join(ROOT, "scripts", "keytrail.mjs");
const SUPPLIER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address; // the local chain's account 1
const DIST = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" as Address; // account 2
const PAST = { ordersPerSecond: 205, gasPerOrder: 75_400, transactions: 200 };

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("KEYTRAIL_") && k !== "NODE_OPTIONS" && k !== "DATABASE_URL") e[k] = v;
  return { ...e, FORCE_COLOR: "0" };
}

/** Runs `keytrail …` to its end; rejects on a non-zero exit. Returns stdout and the wall time in ms. */
function keytrail(cwd: string, ...args: string[]): Promise<{ ms: number; stdout: string }> {
  return new Promise((res, rej) => {
    const t = performance.now();
    const child = spawn(process.execPath, [KEYTRAIL, ...args], { cwd, env: env(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("error", rej);
    child.on("close", (code) => {
      const ms = performance.now() - t;
      if (code === 0) res({ ms, stdout });
      else rej(new Error(`keytrail ${args.join(" ")} exited ${code}: ${stderr.trim().slice(-2000)}`));
    });
  });
}

type Measured = { seconds: number; transactions: number; gasPerOrder: number; firstSeconds: number };

/** A fresh node, a ledger of `version`, a sealed and anchored batch of n keys, then the file of n single-key rows. */
async function measure(version: 1 | 2, n: number): Promise<Measured> {
  const node = await startLocalNode();
  const cwd = mkdtempSync(join(tmpdir(), `keytrail-bench-bulk-v${version}-`));
  try {
    const run = (...args: string[]) => keytrail(cwd, ...args);
    await run("init", "--chain", "31337", "--rpc", node.url, "--portal", "https://verify.example.com");
    const dep = JSON.parse(
      (await run("deploy", "--json", "--ledger-version", String(version), "--account", "0")).stdout,
    );
    const ledger = dep.ledger as Address;
    await run("party", "register", SUPPLIER, "--kind", "supplier", "--account", "0");
    await run("party", "register", DIST, "--kind", "distributor", "--account", "0");
    const keys = ["卡号,卡密"];
    for (let i = 0; i <= n; i++) keys.push(`${6200000000000000 + i},PIN${String(i).padStart(13, "0")}`);
    writeFileSync(join(cwd, "keys.csv"), `${keys.join("\n")}\n`);
    const terms = ["--product", "06901234567892", "--face", "50", "--currency", "CNY", "--expires", "2030-12-31"];
    await run(
      "batch",
      "seal",
      "keys.csv",
      "--label",
      "bench-bulk",
      ...terms,
      "--out",
      "out/A",
      "--account",
      "1",
      "--allow-weak-keys",
    );
    const anchored = JSON.parse((await run("batch", "anchor", "out/A", "--account", "1", "--json")).stdout);
    const batchId = anchored.batchId as Hex;
    // a first run of one row (the key past the timed file's) creates the outbox (v2) or the journal:
    // a one-time cost of a folder, reported apart
    writeFileSync(join(cwd, "first.csv"), `${batchId},${n},${n},${DIST},PO-first\n`);
    const first = await run("transfer", "--file", "first.csv", "--account", "1");
    const rows = ["batch,start,end,to,memo"];
    for (let i = 0; i < n; i++) rows.push(`${batchId},${i},${i},${DIST},PO-${Math.floor(i / 100)}`);
    writeFileSync(join(cwd, "orders.csv"), `${rows.join("\n")}\n`);

    const { ms, stdout } = await run("transfer", "--file", "orders.csv", "--account", "1");
    if (!stdout.includes(`transferred ${n} ranges`)) throw new Error(`unexpected answer: ${stdout.trim()}`);

    const pc = createPublicClient({ transport: http(node.url) });
    const all = await pc.getContractEvents({
      address: ledger,
      abi: keyLedgerAbi,
      eventName: "CustodyTransferred",
      args: { batchId, from: SUPPLIER },
      fromBlock: 0n,
    });
    const logs = all.filter((l) => (l.args.start ?? 0n) < BigInt(n)); // not the first run's row
    const hashes = [...new Set(logs.map((l) => l.transactionHash))];
    let gas = 0n;
    for (const hash of hashes) gas += (await pc.getTransactionReceipt({ hash })).gasUsed;
    let keysMoved = 0n;
    for (const l of logs) keysMoved += (l.args.end ?? 0n) - (l.args.start ?? 0n);
    if (keysMoved !== BigInt(n)) throw new Error(`${keysMoved} keys moved on chain, expected ${n}`);
    return {
      seconds: ms / 1000,
      transactions: hashes.length,
      gasPerOrder: Number(gas) / n,
      firstSeconds: first.ms / 1000,
    };
  } finally {
    await node.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
}

/**
 * Runs the bulk transfer benchmark.
 *
 * @param opts - quick: 2,000 rows instead of 10,000.
 * @returns orders/s, transactions and gas per order, each against the journaled path of the same run.
 * @example
 * const results = await run({ quick: true });
 */
export async function run(opts: BenchOptions = {}): Promise<BenchResult[]> {
  const n = opts.quick ? 2_000 : 10_000;
  const load0 = loadavg()[0]!;
  const engine = await measure(2, n);
  const journaled = await measure(1, n);
  const load = `load average ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`;
  const past = `issue's reference point (past figure, not this run, 10,000 rows): ${PAST.ordersPerSecond} orders/s, ${PAST.transactions} transactions, ${PAST.gasPerOrder.toLocaleString("en-US")} gas/order`;
  const anchorName = "journaled path, KeyLedger v1 (same run)";
  const results: BenchResult[] = [
    {
      name: `transfer --file, ${n.toLocaleString("en-US")} single-key rows, v2 on the gateway's engine: orders/s (whole command)`,
      unit: "orders/s",
      value: n / engine.seconds,
      anchor: { name: anchorName, value: n / journaled.seconds },
      ratio: journaled.seconds / engine.seconds,
      notes:
        `higher is better; process start to exit, Hardhat node automine, --chunk-size 50, after a one-row first run in ` +
        `the same folder (${engine.firstSeconds.toFixed(1)} s with the outbox's creation, v1 ${journaled.firstSeconds.toFixed(1)} s); ${past}; ${load}`,
    },
    {
      name: `transfer --file, ${n.toLocaleString("en-US")} single-key rows: transactions`,
      unit: "transactions",
      value: engine.transactions,
      anchor: { name: anchorName, value: journaled.transactions },
      ratio: engine.transactions / journaled.transactions,
      notes: "lower is better; 50 rows per transferMany in both",
    },
    {
      name: `transfer --file, ${n.toLocaleString("en-US")} single-key rows: gas per order`,
      unit: "gas",
      value: engine.gasPerOrder,
      anchor: { name: anchorName, value: journaled.gasPerOrder },
      ratio: engine.gasPerOrder / journaled.gasPerOrder,
      notes: `lower is better; receipts' gasUsed / rows; the v1 ledger's storage differs from v2's; past reference ${PAST.gasPerOrder.toLocaleString("en-US")} gas/order`,
    },
  ];
  if (!opts.json)
    for (const r of results)
      console.log(
        `${r.name}: ${r.value.toFixed(1)} ${r.unit} (anchor ${r.anchor!.name}: ${r.anchor!.value.toFixed(1)}, ratio ${r.ratio!.toFixed(2)}) — ${r.notes}`,
      );
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const results = await run({ quick: process.argv.includes("--quick"), json: process.argv.includes("--json") });
  if (process.argv.includes("--json")) console.log(JSON.stringify(results, null, 2));
}
