/**
 * `keytrail audit --follow` latency: from a transaction being mined to its finding's line, on anvil
 * mining a block every 2 s (like an L2), measured in blocks and seconds (p50, p99).
 *
 * A KeyLedger v2 with a history (transferMany of 100 single-key items per transaction: events the
 * rules must replay, no findings) is followed by `followAudit` (default --confirmations 1, polling
 * the head every 250 ms). Probe transactions then move 1,500 keys each (a large-transfer finding with
 * largeTransferKeys 1,000), one at a time; the probe is "mined" when its receipt is first seen
 * (polled every 100 ms) and "reported" when its line is emitted. Blocks = the head when the line
 * is emitted minus the probe's block.
 *
 * Anchor, same run, same probes: a full `runAudit` (the `keytrail audit` engine: logs from the
 * deployment block, rules, scorecards, digest) re-run on every new block (head polled every 250 ms too),
 * to the same depth (head - 1), reporting findings it had not seen before.
 *
 * Also reported: the rules' re-evaluation per poll over the accumulated events (the follower is not
 * incremental) against the anchor's full audit per block.
 *
 *   npx tsx bench/audit/follow.ts [--quick]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex, PublicClient } from "viem";
import { foundry } from "viem/chains";
import { followAudit } from "../../audit/follow/followAudit.js";
import { runAudit } from "../../audit/runAudit.js";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { startAnvil } from "../../scripts/chain/startAnvil.js";
import { deployOnAnvil, testAccount } from "../../test/gateway/helpers/deployOnAnvil.js";
import type { BenchOptions, BenchResult } from "../types.js";

const MEMO = `0x${"00".repeat(32)}` as Hex;
const LARGE = 1_000;
/** Both watchers poll the head this often, so only the evaluation differs. */
const POLL_MS = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Sample = { blocks: number; seconds: number };

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

export async function run(opts: BenchOptions = {}): Promise<BenchResult[]> {
  const quick = opts.quick ?? false;
  const historyTxs = quick ? 4 : 60;
  const probes = quick ? 3 : 8;
  const node = await startAnvil({ blockTime: 2 });
  const dir = mkdtempSync(join(tmpdir(), "keytrail-bench-follow-"));
  try {
    const env = await deployOnAnvil(node.url, [{ label: "follow-bench", count: 1_000_000n }]);
    const client = env.publicClient as PublicClient;
    const batch = env.batchIds[0]!;
    const supplier = env.wallet(1);
    const write = { address: env.ledger, abi: keyLedgerV2Abi, account: testAccount(1), chain: foundry } as const;
    const deployBlock = 1n;
    let next = 0;
    // History: single-key items to the distributor, 100 per transaction (no finding).
    const pending: Hex[] = [];
    for (let t = 0; t < historyTxs; t++) {
      const items = Array.from({ length: 100 }, () => {
        const start = BigInt(next);
        next += 2;
        return { batchId: batch, start, end: start + 1n, to: testAccount(2).address };
      });
      pending.push(await supplier.writeContract({ ...write, functionName: "transferMany", args: [items, MEMO] }));
    }
    for (const h of pending) await env.wait(h);

    const mined = async (hash: Hex) => {
      for (;;) {
        const r = await client.getTransactionReceipt({ hash }).catch(() => null);
        if (r) return { at: performance.now(), block: Number(r.blockNumber) };
        await sleep(100);
      }
    };
    const probe = async (reported: Map<Hex, { at: number; head: number }>): Promise<Sample> => {
      const start = BigInt(next);
      next += LARGE + 500;
      const hash = await supplier.writeContract({
        ...write,
        functionName: "transfer",
        args: [batch, start, start + BigInt(LARGE + 500), testAccount(2).address, MEMO],
      });
      const m = await mined(hash);
      const deadline = performance.now() + 60_000;
      while (!reported.has(hash)) {
        if (performance.now() > deadline) throw new Error(`no finding for probe ${hash} within 60 s`);
        await sleep(20);
      }
      const r = reported.get(hash)!;
      return { blocks: r.head - m.block, seconds: (r.at - m.at) / 1000 };
    };

    // Ours: the follower.
    const seen = new Map<Hex, { at: number; head: number }>();
    const lines: { txHash: Hex; at: number }[] = [];
    const evaluations: { ms: number; events: number }[] = [];
    const stop = new AbortController();
    let caughtUp = false;
    const following = followAudit(client, {
      ledger: env.ledger,
      fromBlock: deployBlock,
      statePath: join(dir, "follow.json"),
      rpcUrl: node.url,
      pollIntervalMs: POLL_MS,
      largeTransferKeys: LARGE,
      onFinding: (_line, f) => lines.push({ txHash: f.txHash, at: performance.now() }),
      onPoll: (p) => {
        for (const l of lines.splice(0)) seen.set(l.txHash, { at: l.at, head: p.head });
        if (caughtUp && p.evaluationMs > 0) evaluations.push({ ms: p.evaluationMs, events: p.events });
        caughtUp = true;
      },
      signal: stop.signal,
    });
    while (!caughtUp) await sleep(50);
    const ours: Sample[] = [];
    for (let i = 0; i < probes; i++) ours.push(await probe(seen));
    stop.abort();
    await following;

    // Anchor: a full audit per new block.
    const anchorSeen = new Map<Hex, { at: number; head: number }>();
    const audits: { ms: number; events: number }[] = [];
    let running = true;
    const watcher = (async () => {
      let last = -1;
      while (running) {
        const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
        if (head !== last) {
          last = head;
          const t0 = performance.now();
          const { report } = await runAudit(client, {
            ledger: env.ledger,
            fromBlock: deployBlock,
            toBlock: BigInt(head - 1),
            largeTransferKeys: LARGE,
          });
          const at = performance.now();
          audits.push({ ms: at - t0, events: report.replay.events });
          for (const f of report.findings) if (!anchorSeen.has(f.txHash)) anchorSeen.set(f.txHash, { at, head });
        }
        await sleep(POLL_MS);
      }
    })();
    while (audits.length === 0) await sleep(50);
    const anchor: Sample[] = [];
    for (let i = 0; i < probes; i++) anchor.push(await probe(anchorSeen));
    running = false;
    await watcher;

    const stat = (xs: Sample[], k: keyof Sample, q: number) =>
      quantile(
        xs.map((s) => s[k]),
        q,
      );
    const mean = (xs: { ms: number }[]) => xs.reduce((n, x) => n + x.ms, 0) / Math.max(1, xs.length);
    const events = evaluations.at(-1)?.events ?? audits.at(-1)?.events ?? 0;
    const n = `${probes} probes, anvil 2 s blocks, ${events.toLocaleString("en-US")} ledger events; lower is better`;
    const rows: BenchResult[] = [];
    for (const [q, label] of [
      [0.5, "p50"],
      [0.99, "p99"],
    ] as const) {
      for (const [k, unit] of [
        ["blocks", "blocks"],
        ["seconds", "s"],
      ] as const) {
        const ours_ = stat(ours, k, q);
        const anchor_ = stat(anchor, k, q);
        rows.push({
          name: `audit --follow latency ${label} (tx mined -> finding line)`,
          unit: `${unit} ${label}`,
          value: ours_,
          anchor: { name: "full keytrail audit re-run per block", value: anchor_ },
          ratio: anchor_ > 0 ? ours_ / anchor_ : undefined,
          notes: `${n}; --confirmations 1 and a 250 ms poll for both`,
        });
      }
    }
    const evalMs = mean(evaluations);
    const auditMs = mean(audits);
    rows.push({
      name: "audit --follow: rules re-run over all events per poll with new events",
      unit: "ms",
      value: evalMs,
      anchor: { name: "full audit per block (logs, rules, scorecards, digest)", value: auditMs },
      ratio: auditMs > 0 ? evalMs / auditMs : undefined,
      notes:
        `${events.toLocaleString("en-US")} events; ` +
        `mean of ${evaluations.length} / ${audits.length} runs; lower is better`,
    });
    for (const r of rows)
      process.stdout.write(`  ${r.name} [${r.unit}]: ${r.value.toFixed(3)} vs ${r.anchor!.value.toFixed(3)}\n`);
    return rows;
  } finally {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  const rows = await run({ quick });
  process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
}
