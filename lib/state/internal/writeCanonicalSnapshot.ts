import type { LedgerSnapshot, SnapshotRedemptionWord } from "../types.js";
import { canonicalizeSegments } from "../canonicalizeSegments.js";
import { InvalidSnapshotError } from "../errors.js";

/** ASCII domain tag that starts the encoding (24 bytes). */
export const STATE_DIGEST_DOMAIN = "keytrail-state-digest-v2";

const SECTION = {
  parties: 1,
  authorizations: 2,
  redeemers: 3,
  batches: 4,
  segments: 5,
  redemptions: 6,
  rekeyProposals: 7,
  sales: 8,
  saleItems: 9,
} as const;

const HEX = /^0x[0-9a-fA-F]*$/;
const utf8 = new TextEncoder();

/** Buffers bytes in 64 KiB chunks and hands each full chunk to the sink. */
class Writer {
  private buf = new Uint8Array(65536);
  private pos = 0;
  constructor(private readonly sink: (bytes: Uint8Array) => void) {}
  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = new Uint8Array(n);
    }
  }
  flush(): void {
    if (this.pos > 0) this.sink(this.buf.slice(0, this.pos));
    this.pos = 0;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** Fixed-width hex (`size` bytes), e.g. an address (20) or a bytes32 (32). */
  hex(value: string, size: number, field: string): void {
    if (typeof value !== "string" || !HEX.test(value) || value.length !== 2 + 2 * size) {
      throw new InvalidSnapshotError(`Invalid snapshot field ${field}: ${JSON.stringify(value)}.`, {
        details: `Expected 0x followed by ${2 * size} hex digits (${size} bytes).`,
      });
    }
    this.ensure(size);
    for (let i = 0; i < size; i++) this.buf[this.pos++] = parseInt(value.slice(2 + 2 * i, 4 + 2 * i), 16);
  }
  /** Unsigned big-endian integer of `size` bytes. */
  uint(value: bigint | number, size: number, field: string): void {
    const v = typeof value === "bigint" ? value : BigInt(value);
    if (v < 0n || v >= 1n << BigInt(8 * size)) {
      throw new InvalidSnapshotError(`Invalid snapshot field ${field}: ${String(value)}.`, {
        details: `Expected an unsigned integer of ${8 * size} bits.`,
      });
    }
    this.ensure(size);
    let x = v;
    for (let i = size - 1; i >= 0; i--) {
      this.buf[this.pos + i] = Number(x & 0xffn);
      x >>= 8n;
    }
    this.pos += size;
  }
  bool(value: boolean): void {
    this.uint(value ? 1 : 0, 1, "bool");
  }
  /** uint32 big-endian byte length, then the UTF-8 bytes. */
  str(value: string, field: string): void {
    if (typeof value !== "string")
      throw new InvalidSnapshotError(`Invalid snapshot field ${field}: ${String(value)}.`, {
        details: "Expected a string.",
      });
    const b = utf8.encode(value);
    this.uint(b.length, 4, `${field}.length`);
    this.bytes(b);
  }
  section(tag: number, count: number): void {
    this.uint(tag, 1, "section tag");
    this.uint(count, 4, "section count");
  }
}

function sortUnique<T>(items: readonly T[], key: (t: T) => string, what: string): T[] {
  const keyed = items.map((t) => [key(t), t] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (let i = 1; i < keyed.length; i++) {
    if (keyed[i]![0] === keyed[i - 1]![0]) {
      throw new InvalidSnapshotError(`Invalid snapshot: duplicate ${what} ${keyed[i]![0]}.`, {
        details: `Each ${what} may appear once.`,
      });
    }
  }
  return keyed.map(([, t]) => t);
}

const lc = (s: string) => (typeof s === "string" ? s.toLowerCase() : s);
/** Fixed-width hex of an unsigned integer, so string order is numeric order. */
const pad = (v: bigint | number, digits: number) => BigInt(v).toString(16).padStart(digits, "0");

/**
 * Writes the canonical encoding of a snapshot (docs/STATE-DIGEST.md) to `sink`, canonicalising
 * first: hex lowercased, lists sorted, segments merged, zero redemption words dropped and
 * duplicate words ORed. Throws {@link InvalidSnapshotError} on a malformed or duplicate entry.
 *
 * @param snapshot The snapshot.
 * @param sink Receives the encoding in chunks, in order.
 */
export function writeCanonicalSnapshot(snapshot: LedgerSnapshot, sink: (bytes: Uint8Array) => void): void {
  const w = new Writer(sink);
  w.bytes(utf8.encode(STATE_DIGEST_DOMAIN));

  const parties = sortUnique(snapshot.parties, (p) => lc(p.address), "party");
  w.section(SECTION.parties, parties.length);
  for (const p of parties) {
    w.hex(p.address, 20, "party.address");
    w.uint(p.id, 4, "party.id");
    w.uint(p.kind, 1, "party.kind");
    w.bool(p.suspended);
    w.bool(p.suspendedByRegulator);
    w.uint(p.accreditedUntil, 8, "party.accreditedUntil");
    w.hex(p.profileHash, 32, "party.profileHash");
    w.str(p.profileURI, "party.profileURI");
  }

  const auths = sortUnique(snapshot.authorizations, (a) => `${lc(a.supplier)}${lc(a.distributor)}`, "authorization");
  w.section(SECTION.authorizations, auths.length);
  for (const a of auths) {
    w.hex(a.supplier, 20, "authorization.supplier");
    w.hex(a.distributor, 20, "authorization.distributor");
    w.uint(a.tier, 1, "authorization.tier");
    w.uint(a.expiresAt, 8, "authorization.expiresAt");
    w.hex(a.certificateHash, 32, "authorization.certificateHash");
  }

  const redeemers = sortUnique(snapshot.redeemers, (r) => `${lc(r.supplier)}${lc(r.redeemer)}`, "redeemer");
  w.section(SECTION.redeemers, redeemers.length);
  for (const r of redeemers) {
    w.hex(r.supplier, 20, "redeemer.supplier");
    w.hex(r.redeemer, 20, "redeemer.redeemer");
  }

  const batches = sortUnique(snapshot.batches, (b) => lc(b.batchId), "batch");
  w.section(SECTION.batches, batches.length);
  for (const b of batches) {
    w.hex(b.batchId, 32, "batch.batchId");
    w.hex(b.supplier, 20, "batch.supplier");
    w.hex(b.root, 32, "batch.root");
    w.uint(b.count, 8, "batch.count");
    w.hex(b.productId, 32, "batch.productId");
    w.uint(b.faceValue, 16, "batch.faceValue");
    w.hex(b.currency, 3, "batch.currency");
    w.uint(b.expiresAt, 8, "batch.expiresAt");
    w.bool(b.restricted);
    w.bool(b.saleRequired);
    w.hex(b.manifestHash, 32, "batch.manifestHash");
    w.str(b.label, "batch.label");
    w.str(b.manifestURI, "batch.manifestURI");
  }

  const segments = canonicalizeSegments(snapshot.segments);
  w.section(SECTION.segments, segments.length);
  for (const s of segments) {
    w.hex(s.batchId, 32, "segment.batchId");
    w.uint(s.start, 8, "segment.start");
    w.uint(s.end, 8, "segment.end");
    w.hex(s.holder, 20, "segment.holder");
    w.uint(s.regulatorReason, 1, "segment.regulatorReason");
    w.uint(s.supplierReason, 1, "segment.supplierReason");
    w.uint(s.saleNo, 4, "segment.saleNo");
    w.bool(s.refunded);
  }

  const words = new Map<string, SnapshotRedemptionWord>();
  for (const r of snapshot.redemptions) {
    const batchId = lc(r.batchId) as SnapshotRedemptionWord["batchId"];
    const wordIndex = BigInt(r.wordIndex);
    const key = `${batchId}:${wordIndex.toString(16).padStart(16, "0")}`;
    const prev = words.get(key);
    words.set(key, { batchId, wordIndex, mask: (prev?.mask ?? 0n) | BigInt(r.mask) });
  }
  const redemptions = [...words.entries()]
    .filter(([, r]) => r.mask !== 0n)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, r]) => r);
  w.section(SECTION.redemptions, redemptions.length);
  for (const r of redemptions) {
    w.hex(r.batchId, 32, "redemption.batchId");
    w.uint(r.wordIndex, 8, "redemption.wordIndex");
    w.uint(r.mask, 32, "redemption.mask");
  }

  const proposals = sortUnique(snapshot.rekeyProposals, (r) => lc(r.oldAccount), "re-key proposal");
  w.section(SECTION.rekeyProposals, proposals.length);
  for (const r of proposals) {
    w.hex(r.oldAccount, 20, "rekeyProposal.oldAccount");
    w.hex(r.newAccount, 20, "rekeyProposal.newAccount");
    w.hex(r.proposer, 20, "rekeyProposal.proposer");
  }

  const saleKey = (batchId: string, saleNo: number) => `${lc(batchId)}:${pad(saleNo, 8)}`;
  const sales = sortUnique(snapshot.sales, (x) => saleKey(x.batchId, x.saleNo), "sale");
  const items = sortUnique(
    snapshot.saleItems,
    (x) => `${saleKey(x.batchId, x.saleNo)}:${pad(x.index, 16)}`,
    "sale item",
  );
  const itemCounts = new Map<string, number>();
  for (const x of items)
    itemCounts.set(saleKey(x.batchId, x.saleNo), (itemCounts.get(saleKey(x.batchId, x.saleNo)) ?? 0) + 1);
  w.section(SECTION.sales, sales.length);
  for (const x of sales) {
    const key = saleKey(x.batchId, x.saleNo);
    if ((itemCounts.get(key) ?? 0) !== x.itemCount) {
      throw new InvalidSnapshotError(
        `Invalid snapshot: sale ${key} has itemCount ${x.itemCount} but ${itemCounts.get(key) ?? 0} items.`,
        {
          details: "Every sale lists exactly its items in saleItems.",
        },
      );
    }
    itemCounts.delete(key);
    w.hex(x.batchId, 32, "sale.batchId");
    w.uint(x.saleNo, 4, "sale.saleNo");
    w.hex(x.seller, 20, "sale.seller");
    w.uint(x.soldAt, 8, "sale.soldAt");
    w.hex(x.root, 32, "sale.root");
    w.hex(x.store, 32, "sale.store");
    w.hex(x.terminal, 32, "sale.terminal");
    w.uint(x.amount, 16, "sale.amount");
    w.hex(x.currency, 3, "sale.currency");
    w.uint(x.itemCount, 4, "sale.itemCount");
  }
  const orphan = itemCounts.keys().next();
  if (!orphan.done) {
    throw new InvalidSnapshotError(`Invalid snapshot: sale items of ${orphan.value}, a sale the snapshot lacks.`, {
      details: "Every sale item belongs to a sale of the sales list.",
    });
  }
  w.section(SECTION.saleItems, items.length);
  for (const x of items) {
    w.hex(x.batchId, 32, "saleItem.batchId");
    w.uint(x.saleNo, 4, "saleItem.saleNo");
    w.uint(x.index, 8, "saleItem.index");
    w.hex(x.commitment, 32, "saleItem.commitment");
    w.hex(x.orderRef, 32, "saleItem.orderRef");
  }
  w.flush();
}
