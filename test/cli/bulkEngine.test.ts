/**
 * `keytrail transfer --file` on a KeyLedger v2 runs on the gateway's engine: thousands of single-key
 * rows recorded exactly once (each key in exactly one CustodyTransferred), a `kill -9` mid-file and a
 * re-run of the same file (no row twice, no nonce gap), a third run that sends nothing, and bad rows
 * named by file and line with nothing sent. Real Hardhat node over HTTP, the CLI as a user runs it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, http, keccak256, toHex, zeroHash, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeBatchId } from "../../lib/commit/computeBatchId.js";
import { getLedgerV2Logs } from "../../scripts/cli/chain/getLedgerV2Logs.js";
import { anchorParamsV2 } from "../contracts/helpersV2.js";
import { testAddress } from "./helpers/accounts.js";
import { deployNodeLedgerV2 } from "./helpers/deployNodeLedgerV2.js";
import { runCli, spawnCli, type CliResult } from "./helpers/runCli.js";
import { startHardhatNode, type HardhatNode } from "./helpers/startHardhatNode.js";

const SUPPLIER = testAddress(1);
const DIST = testAddress(2);
const RETAIL = testAddress(3);
const STRANGER = testAddress(7);
const LABEL = "bulk-engine";

let node: HardhatNode;
let cwd: string;
let ledger: Address;
let batchId: Hex;
let client: ReturnType<typeof createPublicClient>;

const cli = (args: string[]): Promise<CliResult> => runCli([...args, "--account", "1", "--ledger", ledger], { cwd });
const ok = async (args: string[]): Promise<CliResult> => {
  const r = await cli(args);
  expect(r.code, `keytrail ${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
};
const nonceOf = async (blockTag: "latest" | "pending") => client.getTransactionCount({ address: SUPPLIER, blockTag });

/** Every CustodyTransferred of the batch from the supplier: which keys, how often, in which transactions. */
async function transfersFromSupplier() {
  const logs = await getLedgerV2Logs(client as never, {
    address: ledger,
    event: "CustodyTransferred",
    args: { batchId, from: SUPPLIER },
    fromBlock: 0n,
  });
  const times = new Map<number, number>();
  const to = new Map<number, Address>();
  const txs = new Set<Hex>();
  const memos = new Map<Hex, Hex>();
  for (const l of logs) {
    const { start, end } = l.args as { start: bigint; end: bigint; to: Address; memo: Hex };
    for (let i = Number(start); i < Number(end); i++) {
      times.set(i, (times.get(i) ?? 0) + 1);
      to.set(i, (l.args as { to: Address }).to);
    }
    txs.add(l.transactionHash as Hex);
    memos.set(l.transactionHash as Hex, (l.args as { memo: Hex }).memo);
  }
  return { times, to, txs, memos };
}

/** A file of single-key rows [first, first + n), alternating recipients, one memo per 100 rows. */
function singleKeyFile(name: string, first: number, n: number): string {
  const path = join(cwd, name);
  const lines = ["batch,start,end,to,memo"];
  for (let i = first; i < first + n; i++)
    lines.push(`${batchId},${i},${i},${i % 2 ? RETAIL : DIST},PO-${Math.floor(i / 100)}`);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

beforeAll(async () => {
  node = await startHardhatNode();
  cwd = mkdtempSync(join(tmpdir(), "keytrail-cli-bulk-engine-"));
  client = createPublicClient({ transport: http(node.url), cacheTime: 0 });
  const deployed = await deployNodeLedgerV2(node.url);
  ledger = deployed.ledger;
  const { admin, supplier, write } = deployed;
  await write(admin, "registerParty", [DIST, 2, zeroHash, "", 0n]);
  await write(admin, "registerParty", [RETAIL, 3, zeroHash, "", 0n]);
  await write(supplier, "anchorBatch", [anchorParamsV2(LABEL, 20_000n)]);
  batchId = computeBatchId(SUPPLIER, LABEL);
  const init = await runCli(["init", "--chain", "31337", "--rpc", node.url], { cwd });
  expect(init.code, init.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await node?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("keytrail transfer --file on the gateway's engine (v2)", () => {
  it("records a file of 2,000 single-key rows exactly once; a second run sends nothing", async () => {
    const file = singleKeyFile("orders-2000.csv", 0, 2_000);
    const before = await nonceOf("latest");
    const r = await ok(["transfer", "--file", file, "--chunk-size", "100"]);
    expect(r.stdout).toContain("transferred 2000 ranges (2000 keys) in 20 transactions: 2000 rows placed now");
    const { times, to, txs, memos } = await transfersFromSupplier();
    for (let i = 0; i < 2_000; i++) {
      expect(times.get(i), `key ${i}`).toBe(1);
      expect(to.get(i), `key ${i}`).toBe(i % 2 ? RETAIL : DIST);
    }
    expect(txs.size).toBe(20);
    // every nonce the run used carried the file's rows: no gap, none wasted, nothing left pending
    expect(await nonceOf("latest")).toBe(before + 20);
    expect(await nonceOf("pending")).toBe(before + 20);
    // 100 rows per transaction share one memo text: its keccak256 is on chain
    expect(new Set(memos.values())).toEqual(new Set(Array.from({ length: 20 }, (_, k) => keccak256(toHex(`PO-${k}`)))));

    const again = await ok(["transfer", "--file", file, "--chunk-size", "100"]);
    expect(again.stdout).toContain("in 20 transactions: 0 rows placed now, 2000 placed by an earlier run");
    expect(again.stderr).toContain("2000 of 2000 orders already in the outbox");
    expect(await nonceOf("latest")).toBe(before + 20);
  });

  it("kill -9 mid-file, then the same file again: every row recorded exactly once, no nonce gap", async () => {
    const file = singleKeyFile("orders-kill.csv", 2_000, 2_500);
    const before = await nonceOf("latest");
    const child = spawnCli(["transfer", "--file", file, "--chunk-size", "50", "--account", "1", "--ledger", ledger], {
      cwd,
    });
    let stderr = "";
    let killed = false;
    await new Promise<void>((resolve) => {
      child.stderr!.on("data", (b: Buffer) => {
        stderr += b.toString();
        if (!killed && (stderr.match(/sent nonce \d+: transfer/g) ?? []).length >= 6) {
          killed = true;
          child.kill("SIGKILL");
        }
      });
      child.on("close", () => resolve());
    });
    expect(child.signalCode, stderr).toBe("SIGKILL");
    const atKill = (await transfersFromSupplier()).times;
    const recordedAtKill = [...atKill.keys()].filter((i) => i >= 2_000).length;
    expect(recordedAtKill).toBeLessThan(2_500);

    const resumed = await ok(["transfer", "--file", file, "--chunk-size", "50"]);
    expect(resumed.stderr).toMatch(/resuming .*orders-kill\.csv: \d+ of 2500 orders already in the outbox/);
    expect(resumed.stdout).toContain("transferred 2500 ranges (2500 keys)");
    const { times, to, txs } = await transfersFromSupplier();
    for (let i = 0; i < 4_500; i++) {
      expect(times.get(i), `key ${i}`).toBe(1);
      expect(to.get(i), `key ${i}`).toBe(i % 2 ? RETAIL : DIST);
    }
    // each nonce used since the kill run began carried rows of the file (none lost, none twice)
    const used = (await nonceOf("latest")) - before;
    expect(txs.size).toBe(20 + used);
    expect(await nonceOf("pending")).toBe(await nonceOf("latest"));
    const third = await ok(["transfer", "--file", file, "--chunk-size", "50"]);
    expect(third.stdout).toContain("0 rows placed now, 2500 placed by an earlier run");
    expect((await nonceOf("latest")) - before).toBe(used);
  });

  it("a transferMany of rows with different memos carries keccak256 of their texts joined by line breaks", async () => {
    const file = join(cwd, "memos.csv");
    writeFileSync(
      file,
      `${batchId},6000,6000,${DIST},PO-A\n${batchId},6001,6009,${RETAIL},PO-B\n${batchId},6010,6010,${DIST}\n`,
    );
    const r = await ok(["transfer", "--file", file]);
    expect(r.stdout).toContain("transferred 3 ranges (11 keys) in 1 transactions: 3 rows placed now");
    const { memos, to } = await transfersFromSupplier();
    const logs = await getLedgerV2Logs(client as never, {
      address: ledger,
      event: "CustodyTransferred",
      args: { batchId, from: SUPPLIER },
      fromBlock: 0n,
    });
    const hash = logs.find((l) => (l.args as { start: bigint }).start === 6000n)!.transactionHash as Hex;
    expect(memos.get(hash)).toBe(keccak256(toHex("PO-A\nPO-B\n")));
    expect([to.get(6000), to.get(6009), to.get(6010)]).toEqual([DIST, RETAIL, DIST]);
  });

  it("names a bad row by file and line, and sends nothing", async () => {
    const before = await nonceOf("latest");
    const held = join(cwd, "not-held.csv");
    writeFileSync(held, `${batchId},5000,5009,${DIST}\n${batchId},10,11,${DIST}\n`);
    const r = await cli(["transfer", "--file", held]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${held} line 2: Range 10-11 of batch ${batchId} is not held by you (${SUPPLIER})`);
    const stranger = join(cwd, "stranger.csv");
    writeFileSync(stranger, `${batchId},5000,5009,${DIST}\n${batchId},5010,5019,${STRANGER}\n`);
    const s = await cli(["transfer", "--file", stranger]);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain(
      `${stranger} line 2: recipient ${STRANGER} is not a registered party; nothing was sent.`,
    );
    const malformed = join(cwd, "malformed.csv");
    writeFileSync(malformed, `batch,start,end,to\n${batchId},5000,5009,${DIST}\n${batchId},50x,5019,${DIST}\n`);
    const m = await cli(["transfer", "--file", malformed]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain(`${malformed} line 3: start "50x" and end "5019" must be whole numbers.`);
    expect(await nonceOf("latest")).toBe(before);
    const { times } = await transfersFromSupplier();
    expect(times.has(5000)).toBe(false);
  });
});
