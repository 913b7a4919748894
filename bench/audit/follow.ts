/**
 * `keytrail audit --follow` latency: from a transaction being mined to its finding's line, on anvil
 * mining a block every 2 s (like an L2), measured in blocks and seconds (p50, p99).
 *
 * A KeyLedger v2 with a history (transferMany of 200 single-key items per transaction: events the
 * rules must replay, no findings) is followed by `followAudit` (default --confirmations 1, polling
 * the head every 250 ms). Probe transactions then move 1,500 keys each (a large-transfer finding with
 * largeTransferKeys 1,000), one at a time; the probe is "mined" when its receipt is first seen
 * (polled every 100 ms) and "reported" when its line is emitted. Blocks = the head when the line
 * is emitted minus the probe's block.
 *
 * Rules: Audit v2 plus the landed large-transfer as the probes' detector (the v2 volume limits set
 * out of reach), so every v2 rule consumes the history.
 *
 * Measured at two history sizes on the same chain (10,000 then 100,000 prior events; the history
 * is mined at once, then anvil mines every 2 s). Anchor, same run, same probes, same chain: the
 * follower as first released (`evaluation: "rerun"`: every rule over every event since the
 * deployment block on each poll with new events) against the incremental session (the default).
 *
 *   npx tsx bench/audit/follow.ts [--quick]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex, PublicClient } from "viem";
import { foundry } from "viem/chains";
import { followAudit } from "../../audit/follow/followAudit.js";
import { auditRulesV2, landedAuditRules } from "../../audit/rules/auditRulesV2.js";
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
  const sizes = quick ? [1_000, 3_000] : [10_000, 100_000];
  const probes = quick ? 3 : 5;
  const node = await startAnvil();
  const dir = mkdtempSync(join(tmpdir(), "keytrail-bench-follow-"));
  const rules = [...auditRulesV2, ...landedAuditRules.filter((r) => r.id === "large-transfer")];
  try {
    const env = await deployOnAnvil(node.url, [{ label: "follow-bench", count: 1_000_000n }]);
    const client = env.publicClient as PublicClient;
    const batch = env.batchIds[0]!;
    const supplier = env.wallet(1);
    const write = { address: env.ledger, abi: keyLedgerV2Abi, account: testAccount(1), chain: foundry } as const;
    const deployBlock = 1n;
    let next = 0;
    let historyEvents = 0;
    /** Adds history up to `events` ledger events: single-key items to the distributor, 200 per transaction. */
    const grow = async (events: number) => {
      const pending: Hex[] = [];
      while (historyEvents < events) {
        const items = Array.from({ length: 200 }, () => {
          const start = BigInt(next);
          next += 1;
          return { batchId: batch, start, end: start + 1n, to: testAccount(2).address };
        });
        pending.push(
          await supplier.writeContract({
            ...write,
            functionName: "transferMany",
            args: [items, MEMO],
            gas: 25_000_000n,
          }),
        );
        historyEvents += 200;
      }
      for (const h of pending) await env.wait(h);
    };
    const rpc = (method: string, params: unknown[]) =>
      fetch(node.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      }).then((r) => r.json());

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
      const deadline = performance.now() + 600_000;
      while (!reported.has(hash)) {
        if (performance.now() > deadline) throw new Error(`no finding for probe ${hash} within 600 s`);
        await sleep(20);
      }
      const r = reported.get(hash)!;
      return { blocks: r.head - m.block, seconds: (r.at - m.at) / 1000 };
    };
    const watch = async (evaluation: "incremental" | "rerun", label: string) => {
      const seen = new Map<Hex, { at: number; head: number }>();
      const lines: { txHash: Hex; at: number }[] = [];
      const evaluations: { ms: number; events: number }[] = [];
      const stop = new AbortController();
      let caughtUp = false;
      const following = followAudit(client, {
        ledger: env.ledger,
        fromBlock: deployBlock,
        statePath: join(dir, `follow-${label}.json`),
        rpcUrl: node.url,
        pollIntervalMs: POLL_MS,
        rules,
        evaluation,
        largeTransferKeys: LARGE,
        volumeLimitValue: {},
        volumeLimitKeys: 1_000_000_000,
        onFinding: (_line, f) => lines.push({ txHash: f.txHash, at: performance.now() }),
        onPoll: (p) => {
          for (const l of lines.splice(0)) seen.set(l.txHash, { at: l.at, head: p.head });
          if (caughtUp && p.evaluationMs > 0) evaluations.push({ ms: p.evaluationMs, events: p.events });
          caughtUp = true;
        },
        signal: stop.signal,
      });
      while (!caughtUp) await sleep(50);
      const samples: Sample[] = [];
      for (let i = 0; i < probes; i++) samples.push(await probe(seen));
      stop.abort();
      await following;
      return { samples, evaluations };
    };

    const stat = (xs: Sample[], k: keyof Sample, q: number) =>
      quantile(
        xs.map((s) => s[k]),
        q,
      );
    const mean = (xs: { ms: number }[]) => xs.reduce((n, x) => n + x.ms, 0) / Math.max(1, xs.length);
    const rows: BenchResult[] = [];
    for (const size of sizes) {
      await grow(size);
      // From here anvil mines a block every 2 s, like an L2.
      await rpc("evm_setAutomine", [false]);
      await rpc("evm_setIntervalMining", [2]);
      const ours = await watch("incremental", `inc-${size}`);
      const anchor = await watch("rerun", `rerun-${size}`);
      await rpc("evm_setIntervalMining", [0]);
      await rpc("evm_setAutomine", [true]);
      const n = `${probes} probes, anvil 2 s blocks, ${historyEvents.toLocaleString("en-US")} prior ledger events; lower is better`;
      for (const [q, label] of [
        [0.5, "p50"],
        [0.99, "p99"],
      ] as const) {
        for (const [k, unit] of [
          ["blocks", "blocks"],
          ["seconds", "s"],
        ] as const) {
          const o = stat(ours.samples, k, q);
          const a = stat(anchor.samples, k, q);
          rows.push({
            name: `audit --follow latency ${label} at ${size.toLocaleString("en-US")} events (tx mined -> finding line)`,
            unit: `${unit} ${label}`,
            value: o,
            anchor: { name: "follow as first released (rules re-run over the history per poll)", value: a },
            ratio: a > 0 ? o / a : undefined,
            notes: `${n}; --confirmations 1 and a 250 ms poll for both`,
          });
        }
      }
      const o = mean(ours.evaluations);
      const a = mean(anchor.evaluations);
      rows.push({
        name: `audit --follow: rule evaluation per poll with new events at ${size.toLocaleString("en-US")} events`,
        unit: "ms",
        value: o,
        anchor: { name: "rules re-run over every event per poll", value: a },
        ratio: a > 0 ? o / a : undefined,
        notes: `mean of ${ours.evaluations.length} / ${anchor.evaluations.length} polls; lower is better`,
      });
      // Each size's rows as soon as they are measured (the 100,000-event run is long).
      for (const r of rows.slice(-5))
        process.stdout.write(`  ${r.name} [${r.unit}]: ${r.value.toFixed(3)} vs ${r.anchor!.value.toFixed(3)}\n`);
    }
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
