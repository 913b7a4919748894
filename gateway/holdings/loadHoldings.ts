import type { Address, Hex, Log, PublicClient } from "viem";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { IntervalSet } from "./IntervalSet.js";

/** Parameters of {@link loadHoldings}. */
export type LoadHoldingsParameters = {
  publicClient: PublicClient;
  /** The KeyLedger v2 address. */
  ledger: Address;
  /** The signing account whose holdings are loaded. */
  account: Address;
  /** First block to read (the ledger's deployment block; default 0). */
  fromBlock?: bigint | undefined;
  /** Last block to read. */
  toBlock: bigint;
};

const ZERO = "0x0000000000000000000000000000000000000000" as Address;

type Ordered = { blockNumber: bigint | null; logIndex: number | null };
const byPosition = (a: Ordered, b: Ordered) =>
  Number((a.blockNumber ?? 0n) - (b.blockNumber ?? 0n)) || (a.logIndex ?? 0) - (b.logIndex ?? 0);

const setOf = (m: Map<Hex, IntervalSet>, batchId: Hex) => {
  let s = m.get(batchId);
  if (!s) m.set(batchId, (s = new IntervalSet()));
  return s;
};

/**
 * The keys `account` can sell or transfer now, per batch: held, not sold by it (live sale), not
 * frozen on either layer, not redeemed. Read once from the v2 ledger's logs (BatchAnchored by the
 * account, which then holds the whole batch; CustodyTransferred to and from it; KeysSold / SaleRefunded by it, then KeysRevoked / KeysReinstated /
 * KeysRedeemed of the batches it holds): a handful of getLogs calls at start-up, none per order.
 *
 * @param parameters - see {@link LoadHoldingsParameters}.
 * @returns free keys per batch id (lower-case batch ids).
 * @example
 * const free = await loadHoldings({ publicClient, ledger, account, toBlock: await publicClient.getBlockNumber() });
 */
export async function loadHoldings(parameters: LoadHoldingsParameters): Promise<Map<Hex, IntervalSet>> {
  const { publicClient, ledger, account } = parameters;
  const range = { fromBlock: parameters.fromBlock ?? 0n, toBlock: parameters.toBlock };
  const base = { address: ledger, abi: keyLedgerV2Abi, ...range, strict: true } as const;
  const [anchored, inbound, outbound, sold, refunded] = await Promise.all([
    publicClient.getContractEvents({ ...base, eventName: "BatchAnchored", args: { supplier: account } }),
    publicClient.getContractEvents({ ...base, eventName: "CustodyTransferred", args: { to: account } }),
    publicClient.getContractEvents({ ...base, eventName: "CustodyTransferred", args: { from: account } }),
    publicClient.getContractEvents({ ...base, eventName: "KeysSold", args: { seller: account } }),
    publicClient.getContractEvents({ ...base, eventName: "SaleRefunded", args: { seller: account } }),
  ]);
  const held = new Map<Hex, IntervalSet>();
  const moves = [
    ...anchored.map((l) => ({
      ...pos(l),
      batchId: l.args.batchId,
      from: ZERO,
      to: account,
      start: 0n,
      end: l.args.count,
    })),
    ...[...inbound, ...outbound].map((l) => ({ ...pos(l), ...l.args })),
  ];
  for (const { batchId, from, to, start, end } of moves.sort(byPosition)) {
    const s = setOf(held, batchId.toLowerCase() as Hex);
    if (to.toLowerCase() === account.toLowerCase()) s.add(Number(start), Number(end));
    if (from.toLowerCase() === account.toLowerCase()) s.remove(Number(start), Number(end));
  }
  const soldSet = new Map<Hex, IntervalSet>();
  const saleLogs: (Ordered & { kind: "sold" | "refunded"; batchId: Hex; indices: readonly bigint[] })[] = [
    ...sold.map((l) => ({ ...pos(l), kind: "sold" as const, batchId: l.args.batchId, indices: l.args.indices })),
    ...refunded.map((l) => ({
      ...pos(l),
      kind: "refunded" as const,
      batchId: l.args.batchId,
      indices: [l.args.index],
    })),
  ].sort(byPosition);
  for (const l of saleLogs) {
    const s = setOf(soldSet, l.batchId.toLowerCase() as Hex);
    for (const i of l.indices) (l.kind === "sold" ? s.add : s.remove).call(s, Number(i), Number(i) + 1);
  }
  const batchIds = [...held.keys()].filter((b) => held.get(b)!.size > 0);
  const regulator = new Map<Hex, IntervalSet>();
  const supplier = new Map<Hex, IntervalSet>();
  const redeemed = new Map<Hex, IntervalSet>();
  if (batchIds.length > 0) {
    const args = { batchId: batchIds };
    const [revoked, reinstated, redemptions] = await Promise.all([
      publicClient.getContractEvents({ ...base, eventName: "KeysRevoked", args }),
      publicClient.getContractEvents({ ...base, eventName: "KeysReinstated", args }),
      publicClient.getContractEvents({ ...base, eventName: "KeysRedeemed", args }),
    ]);
    const freezes = [
      ...revoked.map((l) => ({ ...pos(l), lift: false, ...l.args })),
      ...reinstated.map((l) => ({ ...pos(l), lift: true, reason: 0, ...l.args })),
    ].sort(byPosition);
    for (const f of freezes) {
      const id = f.batchId.toLowerCase() as Hex;
      const [s, e] = [Number(f.start), Number(f.end)];
      if (!f.lift) setOf(f.byRegulator ? regulator : supplier, id).add(s, e);
      else {
        setOf(supplier, id).remove(s, e);
        if (f.byRegulator) setOf(regulator, id).remove(s, e);
      }
    }
    for (const l of redemptions) {
      const s = setOf(redeemed, l.args.batchId.toLowerCase() as Hex);
      const word = Number(l.args.wordIndex) * 256;
      for (let bit = 0; bit < 256; bit++) if ((l.args.mask >> BigInt(bit)) & 1n) s.add(word + bit, word + bit + 1);
    }
  }
  for (const [id, s] of held) {
    for (const m of [soldSet, regulator, supplier, redeemed])
      for (const [a, b] of m.get(id)?.ranges ?? []) s.remove(a, b);
  }
  return held;
}

function pos(l: Log): Ordered {
  return { blockNumber: l.blockNumber, logIndex: l.logIndex };
}
