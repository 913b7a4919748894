import hre from "hardhat";
import { createPublicClient, custom, encodeDeployData, encodeFunctionData, parseEventLogs } from "viem";
import type { Address, Hex, PublicClient } from "viem";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { keyLedgerV2Bytecode } from "../../../lib/abi/keyLedgerV2Bytecode.js";
import { keyLedgerV2SalesBytecode } from "../../../lib/abi/keyLedgerV2SalesBytecode.js";
import { saleProof } from "../../../lib/sale/saleTree.js";
import type { SaleItem } from "../../../lib/sale/saleLeaf.js";
import { applyLedgerEvents } from "../../../lib/state/applyLedgerEvents.js";
import { computeStateDigest } from "../../../lib/state/computeStateDigest.js";
import { createLedgerState } from "../../../lib/state/createLedgerState.js";
import { toSnapshot } from "../../../lib/state/toSnapshot.js";
import type { LedgerEvent } from "../../../lib/state/types.js";
import { prng } from "./serveRpc.js";

type Provider = { request(a: { method: string; params?: unknown[] }): Promise<unknown> };

/** A chain (in-process Hardhat, or any node over HTTP) with a deployed KeyLedger v2 and named parties. */
export type LedgerChain = {
  provider: Provider;
  publicClient: PublicClient;
  ledger: Address;
  deployBlock: number;
  parties: {
    admin: Address;
    suppliers: Address[];
    distributors: Address[];
    retailers: Address[];
    /** Holds the regulator role. */
    regulator: Address;
    /** An unregistered account (the target of the scenario's re-key). */
    spare: Address;
  };
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
 * Deploys KeyLedger v2 (the sale module, then the ledger: admin = account 0, admin delay 1 day,
 * regulator role to account 8) on a fresh in-process Hardhat network, or on the chain behind
 * `provider` (unlocked accounts, automine).
 */
export async function deployLedgerChain(provider_?: Provider): Promise<LedgerChain> {
  const provider = provider_ ?? ((await hre.network.connect()) as unknown as { provider: Provider }).provider;
  const rpc = <T>(method: string, params: unknown[] = []) => provider.request({ method, params }) as Promise<T>;
  const accounts = (await rpc<string[]>("eth_accounts")).map((a) => a.toLowerCase() as Address);
  const admin = accounts[0]!;
  const deploy = async (data: Hex) => {
    const hash = await rpc<Hex>("eth_sendTransaction", [{ from: admin, data, gas: "0xf42400" }]);
    return rpc<{ contractAddress: Address; blockNumber: Hex }>("eth_getTransactionReceipt", [hash]);
  };
  const sales = await deploy(keyLedgerV2SalesBytecode);
  const receipt = await deploy(
    encodeDeployData({
      abi: keyLedgerV2Abi,
      bytecode: keyLedgerV2Bytecode,
      args: [admin, 86_400, sales.contractAddress],
    }),
  );
  const publicClient = createPublicClient({
    transport: custom(provider),
    cacheTime: 0,
    pollingInterval: 20,
  }) as PublicClient;
  const ledger = receipt.contractAddress.toLowerCase() as Address;
  const regulator = accounts[8]!;
  const role = await publicClient.readContract({
    address: ledger,
    abi: keyLedgerV2Abi,
    functionName: "REGULATOR_ROLE",
  });
  await rpc("eth_sendTransaction", [
    {
      from: admin,
      to: ledger,
      data: encodeFunctionData({ abi: keyLedgerV2Abi, functionName: "grantRole", args: [role, regulator] }),
    },
  ]);
  return {
    provider,
    publicClient,
    ledger,
    deployBlock: Number(receipt.blockNumber),
    parties: {
      admin,
      suppliers: [accounts[1]!, accounts[2]!],
      distributors: [accounts[3]!, accounts[4]!, accounts[5]!],
      retailers: [accounts[6]!, accounts[7]!],
      regulator,
      spare: accounts[9]!,
    },
    rpc,
  };
}

type Seg = { start: number; end: number; holder: string; reg: number; sup: number; sold: boolean };
type ModelBatch = {
  id: Hex;
  supplier: string;
  count: number;
  restricted: boolean;
  saleRequired: boolean;
  segs: Seg[];
  redeemed: Set<number>;
};
/** A live sale of one key in the scenario's model: what a refund must quote. */
type ModelSale = { batch: ModelBatch; seller: string; items: SaleItem[]; position: number };

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
  /** Re-key distributor 2 to the spare account at this step (default: never). */
  rekeyAtStep?: number;
};

const frozenSeg = (s: Seg): boolean => s.reg !== 0 || s.sup !== 0;

/**
 * Drives the ledger through a seeded mix of operations (registration, authorisation, anchoring,
 * bulk transfers, supplier and regulator freezes and reinstatements, sales, refunds, redemptions,
 * deauthorisation, suspensions, a re-key), keeping a small model so that most transactions are
 * valid. Returns how many transactions succeeded.
 */
export async function runScenario(
  chain: LedgerChain,
  options: ScenarioOptions,
): Promise<{ ok: number; failed: number; batches: Hex[] }> {
  const rand = prng(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo));
  const { admin, suppliers, retailers, regulator, spare } = chain.parties;
  const distributors: string[] = [...chain.parties.distributors];
  let ok = 0;
  let failed = 0;
  const send = async (from: string, functionName: string, args: readonly unknown[]) => {
    // Hardhat's accounts are unlocked and automine mines each transaction at once; a revert throws.
    const data = encodeFunctionData({ abi: keyLedgerV2Abi, functionName: functionName as never, args: args as never });
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
  // Model: the scenario only relies on what it did itself, plus batches it anchors now.
  const batches: ModelBatch[] = [];
  const nBatches = options.batchCount ?? 3;
  for (let i = 0; i < nBatches; i++) {
    const supplier = suppliers[i % suppliers.length]!;
    const count = options.keysPerBatch ?? 10_000;
    const restricted = i % 3 === 0;
    const saleRequired = i % 3 === 2;
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
        saleRequired,
        manifestHash: `0x${"fe".repeat(32)}`,
        manifestURI: `https://cdn.example.org/${label}/manifest.json`,
      },
    ]);
    if (!good) continue;
    const id = (await chain.publicClient.readContract({
      address: chain.ledger,
      abi: keyLedgerV2Abi,
      functionName: "batchIdOf",
      args: [supplier as Address, label],
    })) as Hex;
    batches.push({
      id,
      supplier,
      count,
      restricted,
      saleRequired,
      segs: [{ start: 0, end: count, holder: supplier, reg: 0, sup: 0, sold: false }],
      redeemed: new Set(),
    });
  }
  const authorized = new Map<string, Set<string>>([
    [suppliers[0]!, new Set([distributors[0]!, distributors[1]!])],
    [suppliers[1]!, new Set([distributors[2]!])],
  ]);
  const everyone: string[] = [...suppliers, ...distributors, ...retailers];
  const suspended = new Set<string>();
  const sales: ModelSale[] = [];
  let saleCounter = 0;
  const rekey = async (from: string, to: string) => {
    if (!(await send(admin, "proposeRekey", [from, to]))) return;
    if (!(await send(regulator, "confirmRekey", [from, to]))) return;
    const swap = (a: string) => (a === from ? to : a);
    for (const b of batches) for (const s of b.segs) s.holder = swap(s.holder);
    for (const set of authorized.values()) if (set.delete(from)) set.add(to);
    for (const sale of sales) sale.seller = swap(sale.seller);
    everyone.splice(everyone.indexOf(from), 1, to);
    const d = distributors.indexOf(from);
    if (d >= 0) distributors[d] = to;
  };
  for (let step = 0; step < options.steps && batches.length; step++) {
    if (step === options.rekeyAtStep) await rekey(distributors[2]!, spare);
    const r = rand();
    const b = pick(batches);
    if (r < 0.5) {
      // Bulk transfer from one holder.
      const movable = b.segs.filter((s) => !frozenSeg(s) && !suspended.has(s.holder) && s.end - s.start >= 2);
      if (!movable.length) continue;
      const holder = pick(movable).holder;
      const items: { batchId: Hex; start: bigint; end: bigint; to: Address }[] = [];
      const n = int(1, (options.itemsPerTx ?? 8) + 1);
      for (let k = 0; k < n; k++) {
        const mine = b.segs.filter((s) => s.holder === holder && !frozenSeg(s) && s.end - s.start >= 2);
        if (!mine.length) break;
        const s = pick(mine);
        const len = int(1, Math.min(s.end - s.start, Math.max(2, Math.floor(b.count / 50))));
        const start = int(s.start, s.end - len + 1);
        const candidates = (b.restricted ? [b.supplier, ...(authorized.get(b.supplier) ?? [])] : everyone).filter(
          (p) => p !== holder && !suspended.has(p),
        );
        if (!candidates.length) break;
        const to = pick(candidates);
        items.push({ batchId: b.id, start: BigInt(start), end: BigInt(start + len), to: to as Address });
        assign(b.segs, start, start + len, (x) => ({ ...x, holder: to }));
      }
      if (items.length) await send(holder, "transferMany", [items, `0x${step.toString(16).padStart(64, "0")}`]);
    } else if (r < 0.6) {
      // A freeze: by the supplier (supplier layer) or a regulator (regulator layer).
      const start = int(0, b.count - 1);
      const end = Math.min(b.count, start + int(1, 64));
      const reason = int(1, 6);
      const byRegulator = rand() < 0.4;
      if (await send(byRegulator ? regulator : b.supplier, "revoke", [b.id, BigInt(start), BigInt(end), reason]))
        assign(b.segs, start, end, (x) => (byRegulator ? { ...x, reg: reason } : { ...x, sup: reason }));
    } else if (r < 0.67) {
      const frozen = b.segs.filter(frozenSeg);
      if (!frozen.length) continue;
      const s = pick(frozen);
      const byRegulator = s.reg !== 0 || rand() < 0.3;
      if (await send(byRegulator ? regulator : b.supplier, "reinstate", [b.id, BigInt(s.start), BigInt(s.end)]))
        assign(b.segs, s.start, s.end, (x) => (byRegulator ? { ...x, reg: 0, sup: 0 } : { ...x, sup: 0 }));
    } else if (r < 0.77) {
      // A sale of a run of consecutive keys by their holder.
      const sellable = b.segs.filter(
        (s) => !frozenSeg(s) && !s.sold && !suspended.has(s.holder) && s.holder !== admin && s.holder !== spare,
      );
      if (!sellable.length) continue;
      const s = pick(sellable);
      const len = int(1, Math.min(s.end - s.start, 6) + 1);
      const start = int(s.start, s.end - len + 1);
      const items: SaleItem[] = [];
      for (let i = start; i < start + len; i++) {
        if (b.redeemed.has(i)) continue;
        saleCounter++;
        items.push({
          batchId: b.id,
          index: BigInt(i),
          commitment: `0x${saleCounter.toString(16).padStart(64, "c")}`,
          orderRef: `0x${saleCounter.toString(16).padStart(64, "0")}`,
        });
      }
      if (!items.length) continue;
      const group = {
        batchId: b.id,
        indices: items.map((x) => x.index),
        commitments: items.map((x) => x.commitment),
        orderRefs: items.map((x) => x.orderRef),
      };
      const context = {
        store: `0x${"5a".repeat(32)}`,
        terminal: `0x${"7e".repeat(32)}`,
        amount: 999n,
        currency: "0x434e59",
      };
      if (await send(s.holder, "sell", [[group], context])) {
        for (const it of items) {
          const i = Number(it.index);
          assign(b.segs, i, i + 1, (x) => ({ ...x, sold: true }));
        }
        items.forEach((_, position) => sales.push({ batch: b, seller: s.holder, items, position }));
      }
    } else if (r < 0.8) {
      // A refund of a live sale by its seller: the key is frozen (Refunded) on the supplier layer.
      const live = sales.filter((x) => !x.batch.redeemed.has(Number(x.items[x.position]!.index)));
      if (!live.length) continue;
      const sale = pick(live);
      const it = sale.items[sale.position]!;
      const args = [it.batchId, it.index, it.commitment, it.orderRef, saleProof(sale.items, sale.position)];
      if (await send(sale.seller, "refund", args)) {
        const i = Number(it.index);
        assign(sale.batch.segs, i, i + 1, (x) => ({ ...x, sold: false, sup: 6 }));
        sales.splice(sales.indexOf(sale), 1);
      }
    } else if (r < 0.9) {
      const word = int(0, Math.ceil(b.count / 256));
      let mask = 0n;
      for (let i = 0; i < 256; i++) {
        const idx = word * 256 + i;
        if (idx >= b.count || b.redeemed.has(idx) || rand() > 0.2) continue;
        const seg = b.segs.find((s) => s.start <= idx && idx < s.end);
        if (!seg || frozenSeg(seg) || (b.saleRequired && !seg.sold)) continue;
        mask |= 1n << BigInt(i);
      }
      if (mask === 0n) continue;
      if (await send(b.supplier, "redeemMany", [[{ batchId: b.id, wordIndex: BigInt(word), mask }]])) {
        for (let i = 0; i < 256; i++) if ((mask >> BigInt(i)) & 1n) b.redeemed.add(word * 256 + i);
      }
    } else if (r < 0.94) {
      const s = suppliers[0]!;
      const d = distributors[1]!;
      const set = authorized.get(s)!;
      if (set.has(d)) {
        if (await send(s, "deauthorize", [d])) set.delete(d);
      } else if (await send(s, "authorize", [d, 2, 0n, `0x${"ad".repeat(32)}`])) set.add(d);
    } else if (r < 0.98) {
      const p = retailers[1]!;
      const by = rand() < 0.5 ? regulator : admin;
      if (suspended.has(p)) {
        if (await send(regulator, "reinstateParty", [p])) suspended.delete(p);
      } else if (await send(by, "suspendParty", [p, `0x${"5e".repeat(32)}`])) suspended.add(p);
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
  const parsed = parseEventLogs({ abi: keyLedgerV2Abi, logs });
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
