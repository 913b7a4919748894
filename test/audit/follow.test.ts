import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createPublicClient, http, type Hex, type PublicClient } from "viem";
import { foundry } from "viem/chains";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerAuditCommand } from "../../scripts/cli/commands/audit.js";
import { followAudit } from "../../audit/follow/followAudit.js";
import { readFollowState, type FollowState } from "../../audit/follow/followState.js";
import { signWebhookBody } from "../../audit/follow/signWebhookBody.js";
import { verifyWebhookSignature } from "../../audit/follow/verifyWebhookSignature.js";
import { runAudit } from "../../audit/runAudit.js";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { deployOnAnvil, testAccount } from "../gateway/helpers/deployOnAnvil.js";
import { freePort, startAnvil, type Anvil } from "../gateway/helpers/startAnvil.js";
import { prng } from "../../scripts/util/prng.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const KEYTRAIL = join(ROOT, "scripts", "keytrail.mjs");
const SECRET = "follow-test-shared-secret-0123456789";
const MEMO = `0x${"00".repeat(32)}` as Hex;

let anvil: Anvil;
let env: Awaited<ReturnType<typeof deployOnAnvil>>;
let dir: string;

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("KEYTRAIL_") && !k.startsWith("VITEST") && k !== "NODE_OPTIONS" && k !== "DATABASE_URL")
      out[k] = v;
  return { ...out, FORCE_COLOR: "0", ...extra };
}

/** A `keytrail audit --follow` child with its stdout lines. */
type Follower = { child: ChildProcess; lines: string[]; stderr: () => string; exited: Promise<number | null> };

function startFollower(args: string[]): Follower {
  // the landed rules, as runAudit's default that the runs are compared with (the rule set does not change the watch)
  const child = spawn(process.execPath, [KEYTRAIL, "audit", "--follow", "--rules", "landed", ...args], {
    cwd: dir,
    env: childEnv({ KEYTRAIL_WEBHOOK_SECRET: SECRET }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let buf = "";
  let err = "";
  child.stdout!.on("data", (b: Buffer) => {
    buf += b.toString();
    const parts = buf.split("\n");
    buf = parts.pop()!;
    lines.push(...parts.filter((l) => l.trim()));
  });
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, lines, stderr: () => err, exited };
}

/** The webhook receiver: verifies every signature, answers 503 while `down`. */
function startReceiver() {
  const received: { id: string; body: string }[] = [];
  const bad: string[] = [];
  let down = true;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    if (down) return res.writeHead(503).end();
    try {
      verifyWebhookSignature({ secret: SECRET, body, header: req.headers["keytrail-signature"] as string });
      const id = (JSON.parse(body) as { id: string }).id;
      if (id !== req.headers["keytrail-finding-id"]) throw new Error(`id header ${req.headers["keytrail-finding-id"]}`);
      received.push({ id, body });
      res.writeHead(204).end();
    } catch (e) {
      bad.push((e as Error).message);
      res.writeHead(401).end();
    }
  });
  return {
    received,
    bad,
    setDown: (v: boolean) => (down = v),
    listen: () =>
      new Promise<string>((r) =>
        server.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`)),
      ),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  env = await deployOnAnvil(anvil.url, [{ label: "watch", count: 10_000n }]);
  dir = mkdtempSync(join(tmpdir(), "keytrail-follow-"));
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The supplier moves `n` keys (from `start`) to the distributor: a large-transfer finding with --large-keys 5. */
async function transfer(start: number, n: number): Promise<Hex> {
  const hash = await env.wallet(1).writeContract({
    address: env.ledger,
    abi: keyLedgerV2Abi,
    account: testAccount(1),
    chain: foundry,
    functionName: "transfer",
    args: [env.batchIds[0]!, BigInt(start), BigInt(start + n), testAccount(2).address, MEMO],
  });
  await env.wait(hash);
  return hash;
}

describe("keytrail audit --follow (anvil, 1 s blocks)", () => {
  it("kill -9 at seeded points: each finding once on stdout, each delivered to a webhook that was dead", async () => {
    const receiver = startReceiver();
    const hook = await receiver.listen();
    const statePath = join(dir, "watch.json");
    const args = [
      "--rpc",
      anvil.url,
      "--ledger",
      env.ledger,
      "--state",
      statePath,
      "--large-keys",
      "5",
      "--poll-interval",
      "200",
      "--webhook",
      hook,
      "-q",
    ];
    const random = prng(7);
    const runs: Follower[] = [];
    // Transfers keep coming (one finding each) until the three kills are done.
    let sent = 0;
    let sending = true;
    const sender = (async () => {
      for (; sending; sent++) await transfer(sent * 10, 6 + (sent % 3));
    })();
    for (let kill = 0; kill < 3; kill++) {
      const f = startFollower(args);
      runs.push(f);
      // Seeded kill point: 0-1.5 s after the run printed its first line (mid-stream, not during start-up).
      await until("the run's first line", () => f.lines.length > 0 || f.child.exitCode !== null, 120_000);
      await sleep(Math.floor(random() * 1_500));
      f.child.kill("SIGKILL");
      await f.exited;
    }
    sending = false;
    await sender;
    receiver.setDown(false);
    const last = startFollower(args);
    runs.push(last);
    const client = createPublicClient({ chain: foundry, transport: http(anvil.url) }) as PublicClient;
    const head = await client.getBlockNumber();
    const { report } = await runAudit(client, { ledger: env.ledger, toBlock: head, largeTransferKeys: 5 });
    const expected = report.findings.map((f) => f.id).sort();
    expect(expected.filter((id) => id.startsWith("large-transfer@")).length).toBe(sent);
    const printed = () => runs.flatMap((r) => r.lines.map((l) => (JSON.parse(l) as { id: string }).id));
    await until("every finding on stdout", () => printed().length >= expected.length, 60_000);
    await until(
      "every webhook delivery",
      () => new Set(receiver.received.map((r) => r.id)).size >= expected.length,
      60_000,
    );
    // Acknowledged deliveries leave the queue when the state is next written.
    await until("an empty webhook queue", async () => (await readFollowState(statePath))?.pending.length === 0, 30_000);
    last.child.kill("SIGTERM");
    expect(await last.exited).toBe(130); // the CLI's "interrupted" status
    await receiver.close();

    // No finding printed twice across the four runs, none missing.
    expect(new Set(printed()).size).toBe(printed().length);
    expect([...printed()].sort()).toEqual(expected);
    expect(runs.slice(0, 3).every((r) => r.lines.length > 0)).toBe(true);
    // The webhook got each (its deliveries are at-least-once; the id header is the idempotency key), all signed.
    expect(receiver.bad).toEqual([]);
    expect([...new Set(receiver.received.map((r) => r.id))].sort()).toEqual(expected);
    const line = JSON.parse(last.lines.at(-1) ?? runs.flatMap((r) => r.lines).at(-1)!) as Record<string, unknown>;
    expect(line).toMatchObject({ chainId: 31337, ledger: env.ledger.toLowerCase() });
    const state = (await readFollowState(statePath)) as FollowState;
    expect(state.pending).toEqual([]);
    expect(state.emitted.map((k) => k.split(" ")[0]).sort()).toEqual(expected);
    expect(state.lastBlock).toBeGreaterThanOrEqual(Number(head) - 1);
  }, 240_000);

  it("names a dead RPC after its retries, refuses a wrong chain id and another ledger's state file", async () => {
    const client = createPublicClient({ chain: foundry, transport: http(anvil.url) }) as PublicClient;
    const base = {
      ledger: env.ledger,
      fromBlock: 1n,
      statePath: join(dir, "other.json"),
      rpcUrl: anvil.url,
      onFinding: () => undefined,
    };
    await expect(followAudit(client, { ...base, chainId: 1 })).rejects.toThrow(
      `RPC ${anvil.url} serves chain id 31337, but chain id 1 is expected.`,
    );
    const dead = `http://127.0.0.1:${await freePort()}`;
    const deadClient = createPublicClient({ chain: foundry, transport: http(dead, { retryCount: 0 }) }) as PublicClient;
    await expect(followAudit(deadClient, { ...base, rpcUrl: dead, rpcRetries: 2 })).rejects.toThrow(
      `The RPC ${dead} failed 3 times in a row`,
    );
    // A state file of this ledger, then the same file for another address.
    const stop = new AbortController();
    await followAudit(client, {
      ...base,
      pollIntervalMs: 50,
      onPoll: () => stop.abort(),
      signal: stop.signal,
    });
    const other = "0x00000000000000000000000000000000000000aa";
    await expect(followAudit(client, { ...base, ledger: other })).rejects.toThrow(
      `follows ledger ${env.ledger.toLowerCase()}, not ${other}`,
    );
  }, 60_000);

  it("re-reads the history after a reorganisation deeper than the confirmations, emits the new finding", async () => {
    const client = createPublicClient({ chain: foundry, transport: http(anvil.url) }) as PublicClient;
    const statePath = join(dir, "reorg.json");
    const lines: string[] = [];
    const notes: string[] = [];
    const run = async (polls: number) => {
      const stop = new AbortController();
      let n = 0;
      await followAudit(client, {
        ledger: env.ledger,
        fromBlock: 1n,
        statePath,
        rpcUrl: anvil.url,
        confirmations: 0,
        pollIntervalMs: 50,
        largeTransferKeys: 5,
        onFinding: (l) => lines.push(l),
        onProgress: (m) => notes.push(m),
        onPoll: () => {
          if (++n >= polls) stop.abort();
        },
        signal: stop.signal,
      });
    };
    await run(1);
    const before = lines.length;
    const snapshot = (await client.request({ method: "evm_snapshot" as never })) as Hex;
    const a = await transfer(5_000, 7);
    await run(1);
    expect(lines.slice(before).map((l) => (JSON.parse(l) as { txHash: string }).txHash)).toEqual([a]);
    await client.request({ method: "evm_revert" as never, params: [snapshot] as never });
    const b = await transfer(6_000, 8);
    await transfer(6_100, 1); // no finding: 1 key
    // The new branch grows past the block the follower recorded.
    const recorded = (await readFollowState(statePath))!.lastBlock;
    while ((await client.getBlockNumber({ cacheTime: 0 })) <= recorded)
      await client.request({ method: "evm_mine" as never });
    await run(1);
    expect(notes.some((m) => /a reorganisation deeper than 0 confirmations/.test(m))).toBe(true);
    const after = lines.slice(before + 1).map((l) => JSON.parse(l) as { txHash: string; keys: number });
    expect(after.map((f) => [f.txHash, f.keys])).toEqual([[b, 8]]);
  }, 60_000);

  it("signs body and timestamp; a receiver refuses a changed body, a stale timestamp, a wrong secret", () => {
    const body = JSON.stringify({ id: "large-transfer@10.0" });
    const now = 1_790_000_000;
    const header = signWebhookBody({ secret: SECRET, body, timestamp: now });
    expect(header).toMatch(/^t=1790000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature({ secret: SECRET, body, header, now: now + 10 })).toBe(now);
    expect(() => verifyWebhookSignature({ secret: SECRET, body: body + " ", header, now })).toThrow(/does not match/);
    expect(() => verifyWebhookSignature({ secret: "other", body, header, now })).toThrow(/does not match/);
    expect(() => verifyWebhookSignature({ secret: SECRET, body, header, now: now + 301 })).toThrow(/more than 300 s/);
    expect(() => verifyWebhookSignature({ secret: SECRET, body, header: undefined })).toThrow(/missing/);
    expect(() => verifyWebhookSignature({ secret: SECRET, body, header: "sha256=abc" })).toThrow(/not t=/);
  });

  it("refuses one-shot flags with --follow and a webhook without its secret, naming them", async () => {
    const cli = (args: string[]) => {
      const program = new Command("keytrail").option("--rpc-url <url>").option("--ledger <address>").exitOverride();
      registerAuditCommand(program);
      return program.parseAsync(["node", "keytrail", "audit", "--follow", ...args]);
    };
    await expect(cli(["--to-block", "5"])).rejects.toThrow("--follow does not take --to-block");
    await expect(cli(["--fail-on", "high"])).rejects.toThrow("--follow does not take --fail-on");
    await expect(cli(["--confirmations", "two"])).rejects.toThrow(
      '--confirmations "two" is not a positive whole number',
    );
    await expect(cli(["--webhook", "ftp://x"])).rejects.toThrow('--webhook "ftp://x" is not an http(s) URL');
    const saved = process.env.KEYTRAIL_FOLLOW_TEST_SECRET;
    delete process.env.KEYTRAIL_FOLLOW_TEST_SECRET;
    await expect(
      cli(["--webhook", "http://127.0.0.1:9/hook", "--webhook-secret-env", "KEYTRAIL_FOLLOW_TEST_SECRET"]),
    ).rejects.toThrow("--webhook given but KEYTRAIL_FOLLOW_TEST_SECRET is not set");
    if (saved !== undefined) process.env.KEYTRAIL_FOLLOW_TEST_SECRET = saved;
  });
});
