import hre from "hardhat";
import { createPublicClient, custom, encodeDeployData, encodeFunctionData, parseEventLogs } from "viem";
import type { Address, Hex, PublicClient } from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { keyLedgerBytecode } from "../../../lib/abi/keyLedgerBytecode.js";
import { applyLedgerEvents } from "../../../lib/state/v1/applyLedgerEvents.js";
import { computeStateDigest } from "../../../lib/state/v1/computeStateDigest.js";
import { createLedgerState } from "../../../lib/state/v1/createLedgerState.js";
import { toSnapshot } from "../../../lib/state/v1/toSnapshot.js";
import type { LedgerEvent } from "../../../lib/state/v1/types.js";
import { prng } from "./serveRpc.js";

type Provider = { request(a: { method: string; params?: unknown[] }): Promise<unknown> };

/** A chain (in-process Hardhat, or any node over HTTP) with a deployed KeyLedger and named parties. */
export type LedgerChain = {
  provider: Provider;
  publicClient: PublicClient;
  ledger: Address;
  deployBlock: number;
  parties: { admin: Address; suppliers: Address[]; distributors: Address[]; retailers: Address[] };
  rpc<T>(method: string, params?: unknown[]): Promise<T>;
};

/** An EIP-1193 provider over HTTP JSON-RPC (for a `hardhat node`). */
export function httpProvider(url: string): Provider {
  let id = 1;
  return {
    async request({ method, params }) {
      const r = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: id++, method, params: params ?? [] }),
      });
      const j = (await r.json()) as { result?: unknown; error?: { message: string; code: number } };
      if (j.error) throw Object.assign(new Error(j.error.message), { code: j.error.code });
      return j.result;
    },
  };
}

/**
 * Deploys KeyLedger (admin = account 0) on a fresh in-process Hardhat network, or on the chain
 * behind `provider` (unlocked accounts, automine).
 */
export async function deployLedgerChain(provider_?: Provider): Promise<LedgerChain> {
  const provider = provider_ ?? ((await hre.network.connect()) as unknown as { provider: Provider }).provider;
  const rpc = <T>(method: string, params: unknown[] = []) => provider.request({ method, params }) as Promise<T>;
  const accounts = (await rpc<string[]>("eth_accounts")).map((a) => a.toLowerCase() as Address);
  const admin = accounts[0]!;
  const data = encodeDeployData({ abi: keyLedgerAbi, bytecode: keyLedgerBytecode, args: [admin] });
  const hash = await rpc<Hex>("eth_sendTransaction", [{ from: admin, data, gas: "0xf42400" }]);
  const receipt = await rpc<{ contractAddress: Address; blockNumber: Hex }>("eth_getTransactionReceipt", [hash]);
  const publicClient = createPublicClient({
    transport: custom(provider),
    cacheTime: 0,
    pollingInterval: 20,
  }) as PublicClient;
  return {
    provider,
    publicClient,
    ledger: receipt.contractAddress.toLowerCase() as Address,
    deployBlock: Number(receipt.blockNumber),
    parties: {
      admin,
      suppliers: [accounts[1]!, accounts[2]!],
      distributors: [accounts[3]!, accounts[4]!, accounts[5]!],
      retailers: [accounts[6]!, accounts[7]!],
    },
    rpc,
  };
}

type Seg = { start: number; end: number; holder: string; frozen: number };
type ModelBatch = { id: Hex; supplier: string; count: number; restricted: boolean; segs: Seg[]; redeemed: Set<number> };

function assign(segs: Seg[], start: number, end: number, f: (s: Seg) => Seg): void {
  const out: Seg[] = [];
  for (const s of segs) {
    if (s.end <= start || s.start >= end) {
      out.push(s);
      continue;
    }
    if (s.start < start) out.push({ ...s, end: start });
    out.push(f({ ...s, start: Math.max(s.start, start), end: Math.min(s.end, end) }));
    if (s.end > end) out.push({ ...s, start: end });
  }
  segs.splice(0, segs.length, ...out);
}

/** Options of {@link runScenario}. */
export type ScenarioOptions = {
  seed: number;
  steps: number;
  itemsPerTx?: number;
  batchCount?: number;
  keysPerBatch?: number;
  setup?: boolean;
  labelPrefix?: string;
};

/**
 * Drives the ledger through a seeded mix of operations (registration, authorisation, anchoring,
 * bulk transfers, revocations, reinstatements, redemptions, deauthorisation, suspension), keeping a
 * small model so that almost every transaction is valid. Returns how many transactions succeeded.
 */
export async function runScenario(
  chain: LedgerChain,
  options: ScenarioOptions,
): Promise<{ ok: number; failed: number; batches: Hex[] }> {
  const rand = prng(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo));
  const { admin, suppliers, distributors, retailers } = chain.parties;
  let ok = 0;
  let failed = 0;
  const send = async (from: string, functionName: string, args: readonly unknown[]) => {
    // Hardhat's accounts are unlocked and automine mines each transaction at once; a revert throws.
    const data = encodeFunctionData({ abi: keyLedgerAbi, functionName: functionName as never, args: args as never });
    try {
      await chain.rpc("eth_sendTransaction", [{ from, to: chain.ledger, data, gas: "0xe4e1c0" }]);
      ok++;
      return true;
    } catch {
      failed++;
      return false;
    }
  };
  const now = Number((await chain.publicClient.getBlock()).timestamp);
  const prefix = options.labelPrefix ?? `s${options.seed}`;
  if (options.setup !== false) {
    for (const s of suppliers)
      await send(admin, "registerParty", [s, 1, `0x${"11".repeat(32)}`, "https://example.org/p/s", 0n]);
    for (const d of distributors)
      await send(admin, "registerParty", [d, 2, `0x${"22".repeat(32)}`, "", BigInt(now + 10 * 365 * 86400)]);
    for (const r of retailers) await send(admin, "registerParty", [r, 3, `0x${"33".repeat(32)}`, "", 0n]);
    await send(suppliers[0]!, "authorize", [distributors[0], 1, 0n, `0x${"aa".repeat(32)}`]);
    await send(suppliers[0]!, "authorize", [distributors[1], 2, BigInt(now + 86400), `0x${"ab".repeat(32)}`]);
    await send(suppliers[1]!, "authorize", [distributors[2], 1, 0n, `0x${"ac".repeat(32)}`]);
    await send(suppliers[0]!, "setRedeemer", [retailers[0], true]);
  }
  // Model: read the current chain state of parties/authorisations is not needed: the scenario only
  // relies on what it did itself, plus batches it anchors now.
  const batches: ModelBatch[] = [];
  const nBatches = options.batchCount ?? 3;
  for (let i = 0; i < nBatches; i++) {
    const supplier = suppliers[i % suppliers.length]!;
    const count = options.keysPerBatch ?? 10_000;
    const restricted = i % 3 === 0;
    const label = `${prefix}-batch-${i}`;
    const good = await send(supplier, "anchorBatch", [
      {
        label,
        root: `0x${(i + 1).toString(16).padStart(64, "0")}`,
        count: BigInt(count),
        productId: `0x${"0".repeat(50)}${"6901234567892".padStart(14, "0")}`,
        faceValue: 10_000n + BigInt(i),
        currency: "0x434e59",
        expiresAt: 0n,
        restricted,
        manifestHash: `0x${"fe".repeat(32)}`,
        manifestURI: `https://cdn.example.org/${label}/manifest.json`,
      },
    ]);
    if (!good) continue;
    const id = (await chain.publicClient.readContract({
      address: chain.ledger,
      abi: keyLedgerAbi,
      functionName: "batchIdOf",
      args: [supplier as Address, label],
    })) as Hex;
    batches.push({
      id,
      supplier,
      count,
      restricted,
      segs: [{ start: 0, end: count, holder: supplier, frozen: 0 }],
      redeemed: new Set(),
    });
  }
  const authorized = new Map<string, Set<string>>([
    [suppliers[0]!, new Set([distributors[0]!, distributors[1]!])],
    [suppliers[1]!, new Set([distributors[2]!])],
  ]);
  const everyone = [...suppliers, ...distributors, ...retailers];
  const suspended = new Set<string>();
  for (let step = 0; step < options.steps && batches.length; step++) {
    const r = rand();
    const b = pick(batches);
    if (r < 0.6) {
      // Bulk transfer from one holder.
      const movable = b.segs.filter((s) => !s.frozen && !suspended.has(s.holder) && s.end - s.start >= 2);
      if (!movable.length) continue;
      const holder = pick(movable).holder;
      const items: { batchId: Hex; start: bigint; end: bigint; to: Address; hint: bigint }[] = [];
      const n = int(1, (options.itemsPerTx ?? 8) + 1);
      for (let k = 0; k < n; k++) {
        const mine = b.segs.filter((s) => s.holder === holder && !s.frozen && s.end - s.start >= 2);
        if (!mine.length) break;
        const s = pick(mine);
        const len = int(1, Math.min(s.end - s.start, Math.max(2, Math.floor(b.count / 50))));
        const start = int(s.start, s.end - len + 1);
        const candidates = (b.restricted ? [b.supplier, ...(authorized.get(b.supplier) ?? [])] : everyone).filter(
          (p) => p !== holder && !suspended.has(p),
        );
        if (!candidates.length) break;
        const to = pick(candidates);
        items.push({ batchId: b.id, start: BigInt(start), end: BigInt(start + len), to: to as Address, hint: 0n });
        assign(b.segs, start, start + len, (x) => ({ ...x, holder: to }));
      }
      if (items.length) await send(holder, "transferMany", [items, `0x${step.toString(16).padStart(64, "0")}`]);
    } else if (r < 0.72) {
      const start = int(0, b.count - 1);
      const end = Math.min(b.count, start + int(1, 64));
      const reason = int(1, 6);
      if (await send(b.supplier, "revoke", [b.id, BigInt(start), BigInt(end), reason, 0n]))
        assign(b.segs, start, end, (x) => ({ ...x, frozen: reason }));
    } else if (r < 0.8) {
      const frozen = b.segs.filter((s) => s.frozen);
      if (!frozen.length) continue;
      const s = pick(frozen);
      if (await send(b.supplier, "reinstate", [b.id, BigInt(s.start), BigInt(s.end), 0n]))
        assign(b.segs, s.start, s.end, (x) => ({ ...x, frozen: 0 }));
    } else if (r < 0.92) {
      const word = int(0, Math.ceil(b.count / 256));
      let mask = 0n;
      for (let i = 0; i < 256; i++) {
        const idx = word * 256 + i;
        if (idx >= b.count || b.redeemed.has(idx) || rand() > 0.2) continue;
        if (b.segs.some((s) => s.frozen && s.start <= idx && idx < s.end)) continue;
        mask |= 1n << BigInt(i);
      }
      if (mask === 0n) continue;
      if (await send(b.supplier, "redeem", [[{ batchId: b.id, wordIndex: BigInt(word), mask, hint: 0n }]])) {
        for (let i = 0; i < 256; i++) if ((mask >> BigInt(i)) & 1n) b.redeemed.add(word * 256 + i);
      }
    } else if (r < 0.95) {
      const s = suppliers[0]!;
      const d = distributors[1]!;
      const set = authorized.get(s)!;
      if (set.has(d)) {
        if (await send(s, "deauthorize", [d])) set.delete(d);
      } else if (await send(s, "authorize", [d, 2, 0n, `0x${"ad".repeat(32)}`])) set.add(d);
    } else if (r < 0.98) {
      const p = retailers[1]!;
      if (suspended.has(p)) {
        if (await send(admin, "reinstateParty", [p])) suspended.delete(p);
      } else if (await send(admin, "suspendParty", [p, `0x${"5e".repeat(32)}`])) suspended.add(p);
    } else {
      await send(admin, "updateParty", [
        pick(distributors),
        `0x${"77".repeat(32)}`,
        "https://example.org/p/updated",
        BigInt(now + 20 * 365 * 86400),
      ]);
    }
  }
  return { ok, failed, batches: batches.map((x) => x.id) };
}

/** The canonical chain's ledger events, decoded by viem (no indexer code involved), with block times. */
export async function readLedgerEvents(chain: LedgerChain, toBlock?: number): Promise<LedgerEvent[]> {
  const head = toBlock ?? Number(await chain.publicClient.getBlockNumber());
  const logs = await chain.publicClient.getLogs({
    address: chain.ledger,
    fromBlock: BigInt(chain.deployBlock),
    toBlock: BigInt(head),
  });
  const parsed = parseEventLogs({ abi: keyLedgerAbi, logs });
  const times = new Map<bigint, bigint>();
  for (const l of parsed) {
    if (!times.has(l.blockNumber))
      times.set(l.blockNumber, (await chain.publicClient.getBlock({ blockNumber: l.blockNumber })).timestamp);
  }
  const events = parsed.map(
    (l) =>
      ({
        eventName: l.eventName,
        args: l.args,
        blockNumber: l.blockNumber,
        blockHash: l.blockHash,
        logIndex: l.logIndex,
        txHash: l.transactionHash,
        timestamp: times.get(l.blockNumber)!,
      }) as unknown as LedgerEvent,
  );
  return events;
}

/** Replays the canonical chain's ledger logs through lib/state (no indexer code involved) and returns the digest. */
export async function replayDigest(
  chain: LedgerChain,
  toBlock?: number,
): Promise<{ digest: Hex; events: number; block: number }> {
  const head = toBlock ?? Number(await chain.publicClient.getBlockNumber());
  const events = await readLedgerEvents(chain, head);
  const state = applyLedgerEvents(createLedgerState(), events);
  return { digest: computeStateDigest(toSnapshot(state)), events: events.length, block: head };
}
