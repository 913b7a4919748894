import type { Address, Hex } from "viem";
import type { LedgerSnapshot, SnapshotSegment } from "./types.js";
import { canonicalizeSegments, sameSegmentValues } from "./canonicalizeSegments.js";

/** One difference between two snapshots. */
export type SnapshotDifference =
  | { kind: "party"; party: Address; left: unknown; right: unknown }
  | { kind: "authorization"; supplier: Address; distributor: Address; left: unknown; right: unknown }
  | { kind: "redeemer"; supplier: Address; redeemer: Address; left: unknown; right: unknown }
  | { kind: "batch"; batchId: Hex; left: unknown; right: unknown }
  | {
      kind: "custody";
      batchId: Hex;
      /** First index whose holder, freeze reasons or sale pointer differ. */
      index: bigint;
      left: SnapshotSegment | null;
      right: SnapshotSegment | null;
    }
  | { kind: "redemption"; batchId: Hex; wordIndex: bigint; left: bigint; right: bigint }
  | { kind: "rekeyProposal"; oldAccount: Address; left: unknown; right: unknown }
  | { kind: "sale"; batchId: Hex; saleNo: number; left: unknown; right: unknown };

const json = (v: unknown) =>
  JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : typeof x === "string" ? x.toLowerCase() : x));

function diffKeyed<T>(
  left: readonly T[],
  right: readonly T[],
  key: (t: T) => string,
  make: (key: string, l: T | undefined, r: T | undefined) => SnapshotDifference,
): SnapshotDifference[] {
  const l = new Map(left.map((t) => [key(t).toLowerCase(), t]));
  const r = new Map(right.map((t) => [key(t).toLowerCase(), t]));
  const keys = [...new Set([...l.keys(), ...r.keys()])].sort();
  const out: SnapshotDifference[] = [];
  for (const k of keys) {
    const a = l.get(k);
    const b = r.get(k);
    if (a === undefined || b === undefined || json(a) !== json(b)) out.push(make(k, a, b));
  }
  return out;
}

/** First index at which two canonical segment lists of one batch disagree. */
function firstCustodyDifference(
  a: SnapshotSegment[],
  b: SnapshotSegment[],
): { index: bigint; left: SnapshotSegment | null; right: SnapshotSegment | null } | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y || x.start !== y.start || x.end !== y.end || !sameSegmentValues(x, y)) {
      const index = !x
        ? y!.start
        : !y
          ? x.start
          : x.start !== y.start
            ? x.start < y.start
              ? x.start
              : y.start
            : !sameSegmentValues(x, y)
              ? x.start
              : x.end < y.end
                ? x.end
                : y.end;
      return { index, left: x ?? null, right: y ?? null };
    }
  }
  return null;
}

/**
 * The differences between two snapshots (e.g. the audit's replay and an indexer's database),
 * in canonical order: parties, authorisations, redeemers, then per batch (by batchId) its record,
 * its segments (first diverging index), its redemption words and its sales (record and items).
 * The first entry is "the first divergence".
 *
 * @param left One snapshot (e.g. the replay's).
 * @param right The other (e.g. the indexer's).
 * @param options `limit`: stop after this many differences (default 100).
 * @returns The differences; empty when the snapshots describe the same state.
 * @example
 * const [first] = diffSnapshots(replayed, indexed);
 * if (first?.kind === "custody") console.log(`batch ${first.batchId} diverges at index ${first.index}`);
 */
export function diffSnapshots(
  left: LedgerSnapshot,
  right: LedgerSnapshot,
  options: { limit?: number } = {},
): SnapshotDifference[] {
  const limit = options.limit ?? 100;
  const out: SnapshotDifference[] = [];
  out.push(
    ...diffKeyed(
      left.parties,
      right.parties,
      (p) => p.address,
      (k, l, r) => ({ kind: "party", party: k as Address, left: l ?? null, right: r ?? null }),
    ),
    ...diffKeyed(
      left.authorizations,
      right.authorizations,
      (a) => `${a.supplier}:${a.distributor}`,
      (k, l, r) => {
        const [supplier, distributor] = k.split(":") as [Address, Address];
        return { kind: "authorization", supplier, distributor, left: l ?? null, right: r ?? null };
      },
    ),
    ...diffKeyed(
      left.redeemers,
      right.redeemers,
      (x) => `${x.supplier}:${x.redeemer}`,
      (k, l, r) => {
        const [supplier, redeemer] = k.split(":") as [Address, Address];
        return { kind: "redeemer", supplier, redeemer, left: l ?? null, right: r ?? null };
      },
    ),
    ...diffKeyed(
      left.rekeyProposals,
      right.rekeyProposals,
      (x) => x.oldAccount,
      (k, l, r) => ({ kind: "rekeyProposal", oldAccount: k as Address, left: l ?? null, right: r ?? null }),
    ),
  );
  if (out.length >= limit) return out.slice(0, limit);

  const group = <T extends { batchId: Hex }>(items: readonly T[]) => {
    const m = new Map<string, T[]>();
    for (const t of items) {
      const k = t.batchId.toLowerCase();
      const arr = m.get(k);
      if (arr) arr.push(t);
      else m.set(k, [t]);
    }
    return m;
  };
  const lb = new Map(left.batches.map((b) => [b.batchId.toLowerCase(), b]));
  const rb = new Map(right.batches.map((b) => [b.batchId.toLowerCase(), b]));
  const ls = group(canonicalizeSegments(left.segments));
  const rs = group(canonicalizeSegments(right.segments));
  const lr = group(left.redemptions);
  const rr = group(right.redemptions);
  const lsa = group(left.sales);
  const rsa = group(right.sales);
  const lsi = group(left.saleItems);
  const rsi = group(right.saleItems);
  /** A batch's sales, each with its items sorted by index, keyed by saleNo. */
  const salesOf = (snapshot: LedgerSnapshot, id: string) => {
    const [sales, items] = snapshot === left ? [lsa, lsi] : [rsa, rsi];
    const m = new Map<number, { sale: unknown; items: unknown[] }>();
    for (const x of sales.get(id) ?? []) m.set(Number(x.saleNo), { sale: x, items: [] });
    const sorted = (items.get(id) ?? []).slice().sort((x, y) => (x.index < y.index ? -1 : x.index > y.index ? 1 : 0));
    for (const x of sorted) {
      const entry = m.get(Number(x.saleNo)) ?? { sale: null, items: [] };
      entry.items.push(x);
      m.set(Number(x.saleNo), entry);
    }
    return m;
  };
  const all = [lb, rb, ls, rs, lr, rr, lsa, rsa, lsi, rsi].flatMap((m) => [...m.keys()]);
  const ids = [...new Set(all)].sort();
  for (const id of ids) {
    const batchId = id as Hex;
    const a = lb.get(id);
    const b = rb.get(id);
    if (a === undefined || b === undefined || json(a) !== json(b))
      out.push({ kind: "batch", batchId, left: a ?? null, right: b ?? null });
    const c = firstCustodyDifference(ls.get(id) ?? [], rs.get(id) ?? []);
    if (c) out.push({ kind: "custody", batchId, ...c });
    const wl = new Map<bigint, bigint>();
    for (const w of lr.get(id) ?? []) wl.set(BigInt(w.wordIndex), (wl.get(BigInt(w.wordIndex)) ?? 0n) | BigInt(w.mask));
    const wr = new Map<bigint, bigint>();
    for (const w of rr.get(id) ?? []) wr.set(BigInt(w.wordIndex), (wr.get(BigInt(w.wordIndex)) ?? 0n) | BigInt(w.mask));
    const words = [...new Set([...wl.keys(), ...wr.keys()])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    for (const wordIndex of words) {
      const l = wl.get(wordIndex) ?? 0n;
      const r = wr.get(wordIndex) ?? 0n;
      if (l !== r) out.push({ kind: "redemption", batchId, wordIndex, left: l, right: r });
    }
    const sl = salesOf(left, id);
    const sr = salesOf(right, id);
    for (const saleNo of [...new Set([...sl.keys(), ...sr.keys()])].sort((x, y) => x - y)) {
      const l = sl.get(saleNo);
      const r = sr.get(saleNo);
      if (l === undefined || r === undefined || json(l) !== json(r)) {
        out.push({ kind: "sale", batchId, saleNo, left: l ?? null, right: r ?? null });
      }
    }
    if (out.length >= limit) break;
  }
  return out.slice(0, limit);
}
