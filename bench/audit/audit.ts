/**
 * Audit benchmarks: how fast the regulator's replay rebuilds the ledger state from raw logs.
 *
 * A generated history on the in-process Hardhat network (KeyLedger; ten batches of 100,000 keys;
 * bulk custody transfers down a supplier -> distributor -> retailer tree, revocations,
 * redemptions) is read once with eth_getLogs; then, on the same raw logs:
 * - replay: the ledger's log decoder (lib/events decodeLedgerLog) + lib/state reducer + canonical snapshot + state digest, events/s.
 *   Anchor: the same replay decoding with ethers' Interface.parseLog (the usual alternative).
 * - reducer: lib/state's segment reducer + canonical snapshot + digest over decoded events, events/s.
 *   Anchor: a naive per-key replay (one holder / frozen / redeemed cell per key) of the same events,
 *   scanning every key to the same canonical snapshot and digest.
 * - audit rules: every rule (auditRules) over the decoded events (mapped to v2), events/s (no anchor; for scale).
 * - end to end from the RPC (fetchLedgerEvents: chunked eth_getLogs + block timestamps + decoding).
 *
 *   npx tsx bench/audit/audit.ts [--quick] [--json]
 */
import hre from "hardhat";
import { Interface } from "ethers";
import {
  decodeEventLog,
  keccak256,
  toBytes,
  type Address,
  type Hex,
  type Log,
  type PublicClient,
  type WalletClient,
} from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { keyLedgerBytecode } from "../../lib/abi/keyLedgerBytecode.js";
import { applyLedgerEvents } from "../../lib/state/v1/applyLedgerEvents.js";
import { computeStateDigest } from "../../lib/state/v1/computeStateDigest.js";
import { createLedgerState } from "../../lib/state/v1/createLedgerState.js";
import { toSnapshot } from "../../lib/state/v1/toSnapshot.js";
import type { LedgerEvent, LedgerSnapshot } from "../../lib/state/v1/types.js";
import { fetchLedgerEvents } from "../../audit/replay/fetchLedgerEvents.js";
import { decodeLedgerLog } from "../../lib/events/v1/decodeLedgerLog.js";
import { auditEvents } from "../../audit/rules/auditEvents.js";
import { auditRules } from "../../audit/rules/auditRules.js";
import { createLedgerLogDecoder } from "../../lib/events/createLedgerLogDecoder.js";
import type { LedgerEvent as LedgerEventV2 } from "../../lib/state/types.js";
import type { BenchOptions, BenchResult } from "../types.js";

type Chain = { publicClient: PublicClient; wallets: WalletClient[]; ledger: Address; deployBlock: bigint };

async function generate(quick: boolean): Promise<Chain & { txs: number }> {
  const { viem } = (await hre.network.connect()) as unknown as {
    viem: { getWalletClients(): Promise<WalletClient[]>; getPublicClient(): Promise<PublicClient> };
  };
  const wallets = await viem.getWalletClients();
  const publicClient = await viem.getPublicClient();
  const w0 = wallets[0]!;
  const hash = await w0.deployContract({
    abi: keyLedgerAbi,
    bytecode: keyLedgerBytecode,
    args: [w0.account!.address],
    account: w0.account!,
    chain: w0.chain,
  });
  const r = await publicClient.waitForTransactionReceipt({ hash });
  const ledger = r.contractAddress!;
  const addr = (i: number) => wallets[i]!.account!.address;
  let txs = 0;
  const send = async (i: number, fn: string, args: readonly unknown[]) => {
    const w = wallets[i]!;
    const h = await w.writeContract({
      address: ledger,
      abi: keyLedgerAbi,
      functionName: fn as never,
      args: args as never,
      account: w.account!,
      chain: w.chain,
      gas: 16_000_000n,
    });
    const rc = await publicClient.waitForTransactionReceipt({ hash: h });
    if (rc.status !== "success") throw new Error(`${fn} reverted`);
    txs++;
  };
  const zero = `0x${"00".repeat(32)}` as Hex;
  const S = 1;
  const dists = [2, 3, 4, 5];
  const rets = [6, 7, 8, 9];
  await send(0, "registerParty", [addr(S), 1, zero, "", 0n]);
  for (const d of dists) await send(0, "registerParty", [addr(d), 2, zero, "", 0n]);
  for (const t of rets) await send(0, "registerParty", [addr(t), 3, zero, "", 0n]);
  for (const p of [...dists, ...rets]) await send(S, "authorize", [addr(p), 1, 0n, zero]);
  const nBatches = quick ? 2 : 10;
  const keys = 100_000;
  const bigChunk = quick ? 5_000 : 1_000;
  const smallChunk = quick ? 1_000 : 100;
  const perTx = 100;
  for (let b = 0; b < nBatches; b++) {
    const label = `bench-${b}`;
    await send(S, "anchorBatch", [
      {
        label,
        root: keccak256(toBytes(label)),
        count: BigInt(keys),
        productId: zero,
        faceValue: 100n,
        currency: "0x434e59",
        expiresAt: 0n,
        restricted: b % 2 === 0,
        manifestHash: zero,
        manifestURI: "",
      },
    ]);
    const id = (await publicClient.readContract({
      address: ledger,
      abi: keyLedgerAbi,
      functionName: "batchIdOf",
      args: [addr(S), label],
    })) as Hex;
    // Supplier -> distributors in big chunks, then each distributor -> retailers in small chunks.
    const items: { batchId: Hex; start: bigint; end: bigint; to: Address; hint: bigint }[] = [];
    for (let s = 0; s < keys; s += bigChunk)
      items.push({
        batchId: id,
        start: BigInt(s),
        end: BigInt(s + bigChunk),
        to: addr(dists[(s / bigChunk) % dists.length]!),
        hint: BigInt(s),
      });
    for (let i = 0; i < items.length; i += perTx) await send(S, "transferMany", [items.slice(i, i + perTx), zero]);
    for (const [k, d] of dists.entries()) {
      const mine: typeof items = [];
      for (let s = k * bigChunk; s < keys; s += bigChunk * dists.length) {
        for (let t = s; t < s + bigChunk; t += smallChunk)
          mine.push({
            batchId: id,
            start: BigInt(t),
            end: BigInt(t + smallChunk),
            to: addr(rets[(t / smallChunk) % rets.length]!),
            hint: BigInt(t),
          });
      }
      for (let i = 0; i < mine.length; i += perTx) await send(d, "transferMany", [mine.slice(i, i + perTx), zero]);
    }
    for (let v = 0; v < 20; v++)
      await send(S, "revoke", [id, BigInt(90_000 + v * 400 + 7), BigInt(90_000 + v * 400 + 57), 1 + (v % 5), 0n]);
    const words = [];
    for (let w = 0; w < 150; w++)
      words.push({
        batchId: id,
        wordIndex: BigInt(w * 2 + 1),
        mask: (1n << 200n) - 1n,
        hint: BigInt(Math.floor(((w * 2 + 1) * 256) / smallChunk) * smallChunk),
      });
    for (let i = 0; i < words.length; i += 50) await send(S, "redeem", [words.slice(i, i + 50)]);
  }
  return { publicClient, wallets, ledger, deployBlock: r.blockNumber, txs };
}

/**
 * Naive replay: one holder / frozen / redeemed cell per key, then the canonical custody and
 * redemption words derived by scanning every key, hashed into the same digest (parties,
 * authorisations, redeemers and batch records, which do not depend on per-key state, are taken
 * from `rest`).
 */
function naiveReplay(events: readonly LedgerEvent[], rest: LedgerSnapshot): string {
  const holders = new Map<Hex, string[]>();
  const frozen = new Map<Hex, Uint8Array>();
  const redeemed = new Map<Hex, Uint8Array>();
  for (const e of events) {
    switch (e.eventName) {
      case "BatchAnchored": {
        const n = Number(e.args.count);
        const id = e.args.batchId.toLowerCase() as Hex;
        holders.set(id, new Array<string>(n).fill(e.args.supplier.toLowerCase()));
        frozen.set(id, new Uint8Array(n));
        redeemed.set(id, new Uint8Array(n));
        break;
      }
      case "CustodyTransferred": {
        const h = holders.get(e.args.batchId.toLowerCase() as Hex)!;
        const to = e.args.to.toLowerCase();
        for (let i = Number(e.args.start); i < Number(e.args.end); i++) h[i] = to;
        break;
      }
      case "KeysRevoked":
      case "KeysReinstated": {
        const f = frozen.get(e.args.batchId.toLowerCase() as Hex)!;
        const r = e.eventName === "KeysRevoked" ? Number(e.args.reason) : 0;
        for (let i = Number(e.args.start); i < Number(e.args.end); i++) f[i] = r;
        break;
      }
      case "KeysRedeemed": {
        const r = redeemed.get(e.args.batchId.toLowerCase() as Hex)!;
        const base = Number(e.args.wordIndex) * 256;
        for (let i = 0; i < 256; i++) if ((e.args.mask >> BigInt(i)) & 1n) r[base + i] = 1;
        break;
      }
      default:
        break;
    }
  }
  const segments: LedgerSnapshot["segments"] = [];
  const redemptions: LedgerSnapshot["redemptions"] = [];
  for (const [batchId, h] of holders) {
    const f = frozen.get(batchId)!;
    const r = redeemed.get(batchId)!;
    let start = 0;
    for (let i = 1; i <= h.length; i++) {
      if (i === h.length || h[i] !== h[start] || f[i] !== f[start]) {
        segments.push({
          batchId,
          start: BigInt(start),
          end: BigInt(i),
          holder: h[start] as Hex,
          frozenReason: f[start]!,
        });
        start = i;
      }
    }
    for (let w = 0; w * 256 < r.length; w++) {
      let mask = 0n;
      for (let i = 0; i < 256 && w * 256 + i < r.length; i++) if (r[w * 256 + i]) mask |= 1n << BigInt(i);
      if (mask) redemptions.push({ batchId, wordIndex: BigInt(w), mask });
    }
  }
  return computeStateDigest({ ...rest, segments, redemptions });
}

const best = async (runs: number, f: () => unknown | Promise<unknown>) => {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    min = Math.min(min, performance.now() - t);
  }
  return min / 1000;
};

/** Runs the audit benchmarks. */
export async function run(opts: BenchOptions = {}): Promise<BenchResult[]> {
  const quick = opts.quick === true;
  const chain = await generate(quick);
  const head = await chain.publicClient.getBlockNumber();
  const raw: Log[] = await chain.publicClient.getLogs({
    address: chain.ledger,
    fromBlock: chain.deployBlock,
    toBlock: head,
  });
  const times = new Map<bigint, bigint>();
  for (const n of new Set(raw.map((l) => l.blockNumber!)))
    times.set(n, (await chain.publicClient.getBlock({ blockNumber: n })).timestamp);
  const meta = (l: Log) => ({
    blockNumber: l.blockNumber!,
    blockHash: l.blockHash!,
    logIndex: l.logIndex!,
    txHash: l.transactionHash!,
    timestamp: times.get(l.blockNumber!)!,
  });
  const runs = quick ? 2 : 3;

  let digestViem = "";
  const replayViem = await best(runs, () => {
    const events = raw.map((l): LedgerEvent => ({
      ...decodeLedgerLog({ data: l.data, topics: l.topics })!,
      ...meta(l),
    }));
    digestViem = computeStateDigest(toSnapshot(applyLedgerEvents(createLedgerState(), events)));
  });
  const iface = new Interface(keyLedgerAbi as unknown as string[]);
  let digestEthers = "";
  const replayEthers = await best(runs, () => {
    const events = raw.map((l) => {
      const p = iface.parseLog({ topics: l.topics as string[], data: l.data })!;
      const args: Record<string, unknown> = {};
      p.fragment.inputs.forEach((input, i) => {
        const v = p.args[i] as unknown;
        args[input.name] =
          typeof v === "bigint" && (input.type === "uint8" || input.type.startsWith("uint8")) ? Number(v) : v;
      });
      return { eventName: p.name, args, ...meta(l) } as unknown as LedgerEvent;
    });
    digestEthers = computeStateDigest(toSnapshot(applyLedgerEvents(createLedgerState(), events)));
  });
  if (digestViem !== digestEthers) throw new Error(`replays disagree: ${digestViem} vs ${digestEthers}`);

  const decoded = raw.map(
    (l) =>
      ({
        ...(decodeEventLog({ abi: keyLedgerAbi, data: l.data, topics: l.topics }) as object),
        ...meta(l),
      }) as LedgerEvent,
  );
  let digestReducer = "";
  const reducer = await best(
    runs,
    () => (digestReducer = computeStateDigest(toSnapshot(applyLedgerEvents(createLedgerState(), decoded)))),
  );
  const rest = toSnapshot(applyLedgerEvents(createLedgerState(), decoded));
  let digestNaive = "";
  const naive = await best(runs, () => (digestNaive = naiveReplay(decoded, rest)));
  if (digestNaive !== digestReducer) throw new Error(`naive replay disagrees: ${digestNaive} vs ${digestReducer}`);
  // The audit replays version 1 ledgers through the version 2 engine: their logs mapped to v2 shapes.
  const decoder = createLedgerLogDecoder();
  const mapped = raw.map((l): LedgerEventV2 => ({
    ...decoder.decode({ data: l.data, topics: l.topics })!,
    ...meta(l),
  }));
  const rules = await best(runs, () => auditEvents(mapped));
  const e2e = await best(1, () =>
    fetchLedgerEvents(chain.publicClient, { ledger: chain.ledger, fromBlock: chain.deployBlock, toBlock: head }),
  );
  const n = raw.length;
  const rate = (s: number) => Math.round(n / s);
  const note = `${n} events from ${chain.txs} transactions; best of ${runs}; in-process Hardhat network`;
  return [
    {
      name: "audit replay from raw logs (decode + reduce + digest)",
      unit: "events/s",
      value: rate(replayViem),
      anchor: { name: "same replay decoding with ethers Interface.parseLog", value: rate(replayEthers) },
      ratio: replayEthers / replayViem,
      notes: `higher is better; ${note}; both digests equal`,
    },
    {
      name: "audit state reducer + digest (lib/state segments)",
      unit: "events/s",
      value: rate(reducer),
      anchor: { name: "naive per-key replay (one cell per key)", value: rate(naive) },
      ratio: naive / reducer,
      notes: `higher is better; ${note}; both build the same digest (the naive one by scanning every key)`,
    },
    {
      name: `audit rules engine (${auditRules.length} rules, custody chains)`,
      unit: "events/s",
      value: rate(rules),
      notes: note,
    },
    {
      name: "audit end to end from the RPC (chunked eth_getLogs + timestamps + decode)",
      unit: "events/s",
      value: rate(e2e),
      notes: note,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await run({ quick: process.argv.includes("--quick") });
  if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
  else
    for (const r of results)
      process.stdout.write(
        `${r.name}: ${r.value} ${r.unit}${r.anchor ? ` (anchor ${r.anchor.name}: ${r.anchor.value}, ratio ${r.ratio?.toFixed(2)})` : ""}\n`,
      );
  process.exit(0);
}
