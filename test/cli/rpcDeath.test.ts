/**
 * A node that dies while a transaction is pending: the CLI must notice within the retry budget of
 * docs/CLI.md and name the RPC as unreachable (not wait out the receipt timeout and then blame the
 * transaction); a bulk run resumes from its journal once a node serves the chain again.
 *
 * The node is a real `hardhat node` with automine off (the transaction stays pending), stopped
 * with SIGTERM while the CLI waits. A restarted hardhat node starts empty, so the "restarted node"
 * replays the same set-up (same accounts, same nonces: same ledger address and blocks) on the same
 * port: the chain as it was before the pending transaction, with that transaction lost from the
 * mempool — what the journal's re-broadcast is for.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, http, type Address, type Hex } from "viem";
import { hardhat } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { startLocalNode, type LocalNode } from "../../scripts/chain/startLocalNode.js";
import { testAddress } from "./helpers/accounts.js";
import { runCli, spawnCli, type CliResult } from "./helpers/runCli.js";
import { freePort } from "./helpers/startHardhatNode.js";
import { registerParties } from "./helpers/registerParties.js";
import { writeManifestOnlyBatch } from "./helpers/writeManifestOnlyBatch.js";

const SUPPLIER = testAddress(1);
const DIST = testAddress(2);
const RETAIL = testAddress(3);
/** docs/CLI.md: 3 retries with backoff from 250 ms (0.25 + 0.5 + 1 s), the node probed every second while waiting. */
const RETRY_BUDGET_MS = 250 + 500 + 1000 + 1000;
/** Process start-up and a loaded shared machine on top of the budget. */
const SLACK_MS = 6_000;

let port: number;
let node: LocalNode | undefined;
let cwd: string;
let ledger: Address;
let batchDir: string;
let batchId: Hex;
const measured: string[] = [];

const rpcUrl = () => `http://127.0.0.1:${port}`;
const client = () => createPublicClient({ chain: hardhat, transport: http(rpcUrl()), cacheTime: 0 });
const rpc = (method: string, params: unknown[] = []) =>
  client().request({ method: method as never, params: params as never });
const cli = (args: string[]): Promise<CliResult> => runCli(args, { cwd });
const ok = async (args: string[]): Promise<CliResult> => {
  const r = await cli(args);
  expect(r.code, `keytrail ${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
};

/** Starts a node on the test's port and brings it to the same state every time: ledger, parties, an anchored batch. */
async function startChain(): Promise<void> {
  node = await startLocalNode({ port });
  await ok(["deploy", "--account", "0", "--ledger-version", "1"]);
  ledger = JSON.parse(readFileSync(join(cwd, ".keytrail", "deployments", "31337.json"), "utf8")).ledger;
  await registerParties(rpcUrl(), ledger, [
    [SUPPLIER, 1],
    [DIST, 2],
    [RETAIL, 3],
  ]);
  batchId = writeManifestOnlyBatch({
    dir: batchDir,
    chainId: 31337,
    ledger,
    supplier: SUPPLIER,
    label: "2026-12-D",
    count: 1000,
  });
  await ok(["batch", "anchor", batchDir, "--account", "1"]);
}

/** Runs the CLI, kills the node once the CLI's transaction is pending, and times the CLI's exit from the kill. */
async function killNodeWhilePending(args: string[]): Promise<CliResult & { afterKillMs: number }> {
  await rpc("evm_setAutomine", [false]);
  const pc = client();
  const before = await pc.getTransactionCount({ address: SUPPLIER, blockTag: "pending" });
  const child = spawnCli(args, { cwd });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  const closed = new Promise<number | null>((res) => child.on("close", (code) => res(code)));
  for (const t0 = Date.now(); (await pc.getTransactionCount({ address: SUPPLIER, blockTag: "pending" })) === before;) {
    if (Date.now() - t0 > 60_000 || child.exitCode !== null)
      throw new Error(`no pending transaction from ${SUPPLIER}:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await node!.stop();
  node = undefined;
  const killedAt = Date.now();
  // Without the fix the CLI would wait out its 300 s receipt timeout: give up well before that.
  const cap = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await closed;
  clearTimeout(cap);
  return { code, signal: child.signalCode, stdout, stderr, afterKillMs: Date.now() - killedAt };
}

beforeAll(async () => {
  port = await freePort();
  cwd = mkdtempSync(join(tmpdir(), "keytrail-cli-rpc-death-"));
  batchDir = join(cwd, "batch-D");
  await ok(["init", "--chain", "31337", "--rpc", rpcUrl()]);
});
afterAll(async () => {
  await node?.stop();
  if (measured.length) process.stdout.write(`[rpc-death] ${measured.join("; ")}\n`);
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("keytrail transfer when the node dies with the transaction pending", () => {
  it("transfer: names the RPC unreachable within the retry budget, not blaming the transaction", async () => {
    await startChain();
    const r = await killNodeWhilePending([
      "transfer",
      "--batch",
      batchDir,
      "--range",
      "0-99",
      "--to",
      DIST,
      "--account",
      "1",
    ]);
    measured.push(`transfer exited ${r.afterKillMs} ms after the node died`);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`RPC ${rpcUrl()} is unreachable`);
    // Usually the node dies while the receipt is awaited ("Transaction 0x… (transfer …) was sent before
    // the node stopped answering"); on a loaded machine it can die before its answer to the send
    // reached the CLI ("Could not transfer …"). Either way the action is named, and the RPC blamed.
    expect(r.stderr).toContain(`transfer range 0-99 of batch ${batchId} to ${DIST}`);
    expect(r.stderr).not.toMatch(/timed out|timeout|Could not confirm/i);
    expect(r.afterKillMs).toBeLessThan(RETRY_BUDGET_MS + SLACK_MS);
  });

  it("transfer --file: names the RPC unreachable within the budget; a re-run against a restarted node resumes from the journal", async () => {
    await startChain();
    const orders = join(cwd, "orders.csv");
    writeFileSync(orders, `batch,start,end,to\n${batchId},0,99,${DIST}\n${batchId},100,199,${RETAIL}\n`);
    const r = await killNodeWhilePending(["transfer", "--file", orders, "--chunk-size", "1", "--account", "1"]);
    measured.push(`transfer --file exited ${r.afterKillMs} ms after the node died`);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`RPC ${rpcUrl()} is unreachable`);
    expect(r.stderr).not.toMatch(/timed out|timeout|Could not confirm/i);
    expect(r.afterKillMs).toBeLessThan(RETRY_BUDGET_MS + SLACK_MS);
    const journal = readFileSync(`${orders}.journal`, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const signed = journal.filter((e) => e.state === "signed");
    expect(signed).toHaveLength(1);
    // While awaiting the receipt, or (loaded machine) before the send's answer arrived: the chunk's
    // transaction and how to resume are named either way.
    expect(r.stderr).toContain(signed[0].hash);
    expect(r.stderr).toMatch(/re-run (the same command )?to resume/);
    expect(journal.some((e) => e.state === "confirmed")).toBe(false);

    // A node serves the chain again (as it was before the pending transaction): the re-run settles
    // the signed chunk by re-broadcasting its bytes, then sends the other one.
    await startChain();
    const resumed = await ok(["transfer", "--file", orders, "--chunk-size", "1", "--account", "1"]);
    expect(resumed.stderr).toContain(`re-broadcast the signed transaction ${signed[0].hash} of chunk 1`);
    expect(resumed.stdout).toContain(
      "transferred 2 ranges (200 keys) in 2 transactions: 1 sent now, 1 signed by the interrupted run and settled now",
    );
    const pc = client();
    expect((await pc.getTransactionReceipt({ hash: signed[0].hash })).status).toBe("success");
    const holder = (index: bigint) =>
      pc.readContract({ address: ledger, abi: keyLedgerAbi, functionName: "holderOf", args: [batchId, index] });
    expect([await holder(50n), await holder(150n), await holder(250n)]).toEqual([DIST, RETAIL, SUPPLIER]);
  });
});
