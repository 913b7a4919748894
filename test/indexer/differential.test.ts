/**
 * Differential property test of the two ledger state machines: lib/state (the in-memory reducer
 * the audit replays with) and the indexer's SQL mirror (indexer/apply/createLedgerMirror.ts, rows
 * versioned by block in PGlite or PostgreSQL). Random event streams are applied to lib/state, to
 * the mirror on PGlite and to the mirror on a real PostgreSQL server, committed in random chunks of
 * blocks, with reorganisations (rollbackStore to a random earlier block, then a different suffix).
 * After every step the canonical snapshots and the state digests of the three must be equal, at
 * the cursor and at a random earlier block (the versioned rows' history). The streams are
 * KeyLedger v2 events: party ids and re-keys (with proposals), both freeze layers, sales and
 * refunds; a stream follows the contract's preconditions where lenient replays could differ
 * only on impossible events (an account registers once, suppliers and sellers are registered).
 */
import fc from "fast-check";
import type { Address, Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlockMeta, IndexedEvent } from "../../indexer/apply/createLedgerMirror.js";
import { createLedgerMirror } from "../../indexer/apply/createLedgerMirror.js";
import { buildSnapshot } from "../../indexer/query/buildSnapshot.js";
import { getStateDigest } from "../../indexer/query/getStateDigest.js";
import { rollbackStore } from "../../indexer/store/rollbackStore.js";
import type { Store } from "../../indexer/store/types.js";
import { applyLedgerEvents } from "../../lib/state/applyLedgerEvents.js";
import { computeStateDigest } from "../../lib/state/computeStateDigest.js";
import { createLedgerState } from "../../lib/state/createLedgerState.js";
import { toSnapshot } from "../../lib/state/toSnapshot.js";
import type { DecodedLedgerLog, LedgerEvent, LedgerState } from "../../lib/state/types.js";
import { openTestStore, startPostgres } from "./helpers/stores.js";
import type { TestPostgres } from "./helpers/stores.js";

/** Property runs (each empties the PGlite and PostgreSQL databases and indexes a new stream); KEYTRAIL_DIFF_RUNS for more. */
const RUNS = Number(process.env.KEYTRAIL_DIFF_RUNS || 30);

const hex = (n: number | bigint, bytes: number): Hex => `0x${n.toString(16).padStart(bytes * 2, "0")}` as Hex;
const PARTIES: Address[] = Array.from({ length: 10 }, (_, i) => hex(0xa0 + i, 20) as Address);
const ROLES: Hex[] = [hex(0, 32), hex(0x7e, 32), hex(0x7f, 32)];
const START_BLOCK = 10;
/** The tables the mirror and the cursor write (emptied between runs). */
const TABLES = [
  "kt_cursor",
  "kt_blocks",
  "kt_parties",
  "kt_authorizations",
  "kt_redeemers",
  "kt_batches",
  "kt_segments",
  "kt_redemption_words",
  "kt_transfers",
  "kt_revocations",
  "kt_redemptions",
  "kt_rekeys",
  "kt_rekey_proposals",
  "kt_sales",
  "kt_sale_ranges",
  "kt_sale_items",
  "kt_refunds",
];

/** One operation; indices and fractions are resolved against the stream so far (so every event is well formed). */
type Op =
  | { t: "register"; party: number; kind: number; until: number; profile: number }
  | { t: "update"; party: number; until: number; profile: number }
  | { t: "suspend" | "unsuspend"; party: number }
  | { t: "authorize"; s: number; d: number; tier: number; expires: number }
  | { t: "deauthorize"; s: number; d: number }
  | { t: "redeemer"; s: number; r: number; allowed: boolean }
  | { t: "anchor"; s: number; count: number; label: number; restricted: boolean }
  | { t: "transfer"; b: number; at: number; len: number; to: number }
  | { t: "revoke"; b: number; at: number; len: number; reason: number; byRegulator: boolean }
  | { t: "reinstate"; b: number; at: number; len: number; byRegulator: boolean }
  | { t: "propose" | "rekey"; from: number; to: number }
  | { t: "sell"; b: number; at: number; len: number; gap: number; seller: number }
  | { t: "refund"; sale: number }
  | { t: "redeem"; b: number; word: number; mask: bigint }
  | { t: "role"; grant: boolean; role: number; account: number }
  | { t: "unknownBatch"; at: number };

const party = fc.nat(PARTIES.length - 1);
const frac = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant("register" as const),
      party,
      kind: fc.integer({ min: 1, max: 3 }),
      until: fc.nat(3),
      profile: fc.nat(3),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant("update" as const), party, until: fc.nat(3), profile: fc.nat(3) }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constantFrom("suspend" as const, "unsuspend" as const), party }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("authorize" as const),
      s: party,
      d: party,
      tier: fc.integer({ min: 1, max: 3 }),
      expires: fc.nat(3),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("deauthorize" as const), s: party, d: party }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant("redeemer" as const), s: party, r: party, allowed: fc.boolean() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("anchor" as const),
      s: party,
      count: fc.integer({ min: 1, max: 1_500 }),
      label: fc.nat(5),
      restricted: fc.boolean(),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({ t: fc.constant("transfer" as const), b: fc.nat(), at: frac, len: frac, to: party }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("revoke" as const),
      b: fc.nat(),
      at: frac,
      len: frac,
      reason: fc.integer({ min: 1, max: 5 }),
      byRegulator: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("reinstate" as const),
      b: fc.nat(),
      at: frac,
      len: frac,
      byRegulator: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constantFrom("propose" as const, "rekey" as const), from: party, to: party }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant("sell" as const),
      b: fc.nat(),
      at: frac,
      len: frac,
      gap: fc.nat(3),
      seller: party,
    }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant("refund" as const), sale: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("redeem" as const),
      b: fc.nat(),
      word: frac,
      mask: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("role" as const),
      grant: fc.boolean(),
      role: fc.nat(ROLES.length - 1),
      account: party,
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("unknownBatch" as const), at: frac }) },
);
/** A block: 1 to 4 operations. */
const blockArb = fc.array(opArb, { minLength: 1, maxLength: 4 });
/** A reorganisation: how far back (fraction of the indexed blocks) and the new branch's blocks. */
const reorgArb = fc.record({ back: frac, blocks: fc.array(blockArb, { minLength: 1, maxLength: 12 }) });
const streamArb = fc.record({
  blocks: fc.array(blockArb, { minLength: 1, maxLength: 30 }),
  reorgs: fc.array(reorgArb, { maxLength: 2 }),
  /** Blocks per commit, cycled (the indexer commits ranges of adaptive size). */
  chunks: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }),
  /** Per commit, cycled: drop the mirror first, so it reloads from the database (as after a restart or a failed transaction). */
  restarts: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
  /** Which earlier block to compare after each commit (fraction of the indexed span). */
  probe: frac,
});

type Batch = { id: Hex; supplier: Address; count: number };
/** What a branch has so far: batches, registered accounts (-> id), sale numbers and sold keys. */
type Model = {
  batches: Batch[];
  parties: Map<Address, number>;
  nextId: number;
  saleCount: Map<Hex, number>;
  sold: { batchId: Hex; saleNo: number; index: bigint; seller: Address; orderRef: Hex }[];
};

/** Turns operations into decoded events (one or two), given the branch so far (updated). */
function toDecoded(op: Op, m: Model, seq: number): DecodedLedgerLog[] {
  const d = toDecoded1(op, m, seq);
  if (!d) return [];
  if (d.eventName === "SaleRefunded")
    return [
      d,
      {
        eventName: "KeysRevoked",
        args: {
          batchId: d.args.batchId,
          by: d.args.seller,
          start: d.args.index,
          end: d.args.index + 1n,
          reason: 6,
          byRegulator: false,
        },
      },
    ];
  return [d];
}

function toDecoded1(op: Op, m: Model, seq: number): DecodedLedgerLog | null {
  const batches = m.batches;
  const P = (i: number) => PARTIES[i % PARTIES.length]!;
  const range = (b: Batch, at: number, len: number) => {
    const start = Math.floor(at * b.count);
    const end = Math.min(b.count, start + 1 + Math.floor(len * len * (b.count - start)));
    return { start: BigInt(start), end: BigInt(end) };
  };
  const pick = (i: number) => (batches.length ? batches[i % batches.length]! : null);
  switch (op.t) {
    case "register": {
      // An account registers once (the contract refuses a second registration).
      if (m.parties.has(P(op.party))) return null;
      const id = m.nextId++;
      m.parties.set(P(op.party), id);
      return {
        eventName: "PartyRegistered",
        args: {
          party: P(op.party),
          id,
          kind: op.kind,
          profileHash: hex(op.profile + 1, 32),
          profileURI: `https://p.example/${op.profile}`,
          accreditedUntil: BigInt(op.until * 1_000_000),
          registrar: P(0),
        },
      };
    }
    case "update":
      return {
        eventName: "PartyUpdated",
        args: {
          party: P(op.party),
          profileHash: hex(op.profile + 9, 32),
          profileURI: `u${op.profile}`,
          accreditedUntil: BigInt(op.until * 7_000_000),
          registrar: P(0),
        },
      };
    case "suspend":
      return {
        eventName: "PartySuspended",
        args: { party: P(op.party), reasonHash: hex(1, 32), by: P(0), byRegulator: op.party % 2 === 0 },
      };
    case "unsuspend":
      return { eventName: "PartyReinstated", args: { party: P(op.party), by: P(0) } };
    case "propose":
      return {
        eventName: "RekeyProposed",
        args: { oldAccount: P(op.from), newAccount: P(op.to), proposer: P(0) },
      };
    case "rekey": {
      // From a registered account to an unregistered one (the contract's checks).
      const registered = [...m.parties.keys()];
      const free = PARTIES.filter((p) => !m.parties.has(p));
      if (!registered.length || !free.length) return null;
      const from = registered[op.from % registered.length]!;
      const to = free[op.to % free.length]!;
      const id = m.parties.get(from)!;
      m.parties.delete(from);
      m.parties.set(to, id);
      for (const x of m.sold) if (x.seller === from) x.seller = to;
      return {
        eventName: "PartyRekeyed",
        args: { oldAccount: from, newAccount: to, id, proposer: P(0), confirmer: P(1) },
      };
    }
    case "sell": {
      // One or two runs of keys, sold by a registered account; numbered per batch.
      const b = pick(op.b);
      const sellers = [...m.parties.keys()];
      if (!b || !sellers.length) return null;
      const seller = sellers[op.seller % sellers.length]!;
      const { start, end } = range(b, op.at, op.len * 0.2);
      const indices: bigint[] = [];
      for (let i = start; i < end && indices.length < 40; i++) indices.push(i);
      const last = indices[indices.length - 1]!;
      if (last + BigInt(op.gap) + 1n < BigInt(b.count)) indices.push(last + BigInt(op.gap) + 1n);
      const saleNo = (m.saleCount.get(b.id) ?? 0) + 1;
      m.saleCount.set(b.id, saleNo);
      const orderRefs = indices.map((_, i) => hex(seq * 64 + i + 1, 32));
      indices.forEach((index, i) => m.sold.push({ batchId: b.id, saleNo, index, seller, orderRef: orderRefs[i]! }));
      return {
        eventName: "KeysSold",
        args: {
          batchId: b.id,
          seller,
          saleNo,
          root: hex(seq + 5, 32),
          soldAt: BigInt(1_700_000_000 + seq),
          context: { store: hex(7, 32), terminal: hex(8, 32), amount: 999n, currency: "0x434e59" },
          indices,
          commitments: indices.map((_, i) => hex(seq * 64 + i + 0x1000, 32)),
          orderRefs,
        },
      };
    }
    case "refund": {
      if (!m.sold.length) return null;
      const x = m.sold.splice(op.sale % m.sold.length, 1)[0]!;
      return {
        eventName: "SaleRefunded",
        args: { batchId: x.batchId, seller: x.seller, saleNo: x.saleNo, index: x.index, orderRef: x.orderRef },
      };
    }
    case "authorize":
      return {
        eventName: "DistributorAuthorized",
        args: {
          supplier: P(op.s),
          distributor: P(op.d),
          tier: op.tier,
          expiresAt: BigInt(op.expires * 5_000_000),
          certificateHash: hex(op.tier * 17, 32),
        },
      };
    case "deauthorize":
      return { eventName: "DistributorDeauthorized", args: { supplier: P(op.s), distributor: P(op.d) } };
    case "redeemer":
      return { eventName: "RedeemerSet", args: { supplier: P(op.s), redeemer: P(op.r), allowed: op.allowed } };
    case "anchor": {
      // batchId depends on (supplier, label) as on chain: the same pair anchors at most once (a repeat is ignored by both).
      const registered = [...m.parties.keys()];
      if (!registered.length) return null; // only a registered supplier anchors
      const supplier = registered[op.s % registered.length]!;
      const id = hex(BigInt(supplier) * 16n + BigInt(op.label), 32);
      return {
        eventName: "BatchAnchored",
        args: {
          batchId: id,
          supplier,
          label: `L${op.label}`,
          root: hex(seq + 1, 32),
          count: BigInt(op.count),
          productId: hex(6901234567892n, 32),
          faceValue: 5_000n,
          currency: "0x434e59",
          expiresAt: 0n,
          restricted: op.restricted,
          saleRequired: op.label % 2 === 1,
          manifestHash: hex(seq + 77, 32),
          manifestURI: `https://m.example/${op.label}`,
        },
      };
    }
    case "transfer": {
      const b = pick(op.b);
      if (!b) return null;
      return {
        eventName: "CustodyTransferred",
        args: { batchId: b.id, from: b.supplier, to: P(op.to), ...range(b, op.at, op.len), memo: hex(seq, 32) },
      };
    }
    case "revoke": {
      const b = pick(op.b);
      if (!b) return null;
      return {
        eventName: "KeysRevoked",
        args: {
          batchId: b.id,
          by: b.supplier,
          ...range(b, op.at, op.len),
          reason: op.reason,
          byRegulator: op.byRegulator,
        },
      };
    }
    case "reinstate": {
      const b = pick(op.b);
      if (!b) return null;
      return {
        eventName: "KeysReinstated",
        args: { batchId: b.id, by: b.supplier, ...range(b, op.at, op.len), byRegulator: op.byRegulator },
      };
    }
    case "redeem": {
      const b = pick(op.b);
      if (!b) return null;
      const words = Math.ceil(b.count / 256);
      const word = Math.floor(op.word * words);
      const bits = Math.min(256, b.count - word * 256);
      const mask = op.mask & ((1n << BigInt(bits)) - 1n);
      if (mask === 0n) return null; // the contract refuses an empty mask
      return { eventName: "KeysRedeemed", args: { batchId: b.id, by: b.supplier, wordIndex: BigInt(word), mask } };
    }
    case "role":
      return {
        eventName: op.grant ? "RoleGranted" : "RoleRevoked",
        args: { role: ROLES[op.role]!, account: P(op.account), sender: P(0) },
      };
    case "unknownBatch":
      return {
        eventName: "CustodyTransferred",
        args: {
          batchId: hex(0xdead, 32),
          from: P(1),
          to: P(2),
          start: 0n,
          end: BigInt(1 + Math.floor(op.at * 9)),
          memo: hex(0, 32),
        },
      };
  }
}

/** The indexer's persistence of the ledger: the mirror plus a store, committed and rolled back as createIndexer does. */
type SqlSide = { name: string; store: Store; mirror: ReturnType<typeof createLedgerMirror> };

/** One chain branch's block and its events, as the indexer and the replay see them. */
type ChainBlock = { meta: BlockMeta; events: LedgerEvent[] };

describe("lib/state and the indexer's SQL mirror agree (differential, random event streams with reorgs)", () => {
  let pg: TestPostgres | null = null;
  const stores: { name: string; store: Store }[] = [];
  beforeAll(async () => {
    pg = await startPostgres();
    // One database of each kind for all runs, emptied before each run (opening PGlite costs seconds).
    stores.push(
      { name: "pglite", store: await openTestStore("pglite", null) },
      { name: "postgres", store: await openTestStore("postgres", pg) },
    );
  });
  afterAll(async () => {
    for (const s of stores) await s.store.close();
    await pg?.stop();
  });

  it(`same canonical snapshot and digest after every commit and rollback, on PGlite and PostgreSQL (${RUNS} runs)`, async () => {
    let runs = 0;
    let commits = 0;
    let rollbacks = 0;
    let events = 0;
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(streamArb, async (stream) => {
        runs++;
        const sides: SqlSide[] = stores.map((s) => ({ ...s, mirror: createLedgerMirror() }));
        for (const s of sides) await s.store.exec(`TRUNCATE ${TABLES.join(", ")}`);
        {
          const genesis: BlockMeta = {
            number: START_BLOCK - 1,
            hash: hex(START_BLOCK - 1, 32),
            parentHash: hex(0, 32),
            timestamp: 1_700_000_000,
          };
          for (const s of sides) await s.store.transaction((tx) => s.mirror.flush(tx, { blocks: [], cursor: genesis }));
          /** The chain as indexed so far, and lib/state after each of its blocks. */
          const chain: ChainBlock[] = [];
          const stateAt = new Map<number, LedgerState>([[genesis.number, createLedgerState()]]);
          let cursor = genesis;
          let branch = 0;
          let chunkNo = 0;

          const compare = async (label: string) => {
            const want = toSnapshot(stateAt.get(cursor.number)!);
            const wantDigest = computeStateDigest(want);
            const earlier = genesis.number + Math.floor(stream.probe * (cursor.number - genesis.number + 1));
            const wantEarlier = toSnapshot(stateAt.get(earlier)!);
            for (const s of sides) {
              expect(
                await buildSnapshot(s.store, { block: cursor.number }),
                `${s.name}, ${label}: snapshot at the cursor ${cursor.number}`,
              ).toEqual(want);
              expect((await getStateDigest(s.store))!, `${s.name}, ${label}: digest`).toEqual({
                block: cursor.number,
                digest: wantDigest,
              });
              expect(
                await buildSnapshot(s.store, { block: earlier }),
                `${s.name}, ${label}: snapshot at block ${earlier}`,
              ).toEqual(wantEarlier);
            }
          };

          /** Appends blocks of operations to the chain and commits them in chunks, comparing after each. */
          const extend = async (blocks: Op[][]) => {
            let i = 0;
            while (i < blocks.length) {
              const n = stream.chunks[chunkNo++ % stream.chunks.length]!;
              const part: ChainBlock[] = [];
              for (const ops of blocks.slice(i, i + n)) {
                const number = cursor.number + part.length + 1;
                const parent = part.length ? part[part.length - 1]!.meta : cursor;
                const meta: BlockMeta = {
                  number,
                  hash: hex((BigInt(branch) << 64n) | BigInt(number), 32),
                  parentHash: parent.hash,
                  timestamp: parent.timestamp + 12,
                };
                const model = branchModel([...chain, ...part]);
                const evs: LedgerEvent[] = [];
                for (const op of ops) {
                  for (const d of toDecoded(op, model, number * 16 + evs.length)) {
                    evs.push({
                      ...d,
                      blockNumber: BigInt(number),
                      blockHash: meta.hash,
                      logIndex: evs.length,
                      txHash: hex(number * 16 + evs.length, 32),
                      timestamp: BigInt(meta.timestamp),
                    } as LedgerEvent);
                    if (d.eventName === "BatchAnchored" && !model.batches.some((b) => b.id === d.args.batchId))
                      model.batches.push({
                        id: d.args.batchId,
                        supplier: d.args.supplier,
                        count: Number(d.args.count),
                      });
                  }
                }
                part.push({ meta, events: evs });
              }
              i += n;
              // lib/state, block by block (its states are kept for rollbacks and history checks).
              let state = stateAt.get(cursor.number)!;
              for (const b of part) {
                state = applyLedgerEvents(state, b.events);
                stateAt.set(b.meta.number, state);
              }
              // The mirror, one commit for the whole range (as createIndexer.commit).
              const indexed: IndexedEvent[] = part.flatMap((b) =>
                b.events.map((e) => ({
                  decoded: { eventName: e.eventName, args: e.args } as DecodedLedgerLog,
                  block: b.meta.number,
                  logIndex: e.logIndex,
                  tx: e.txHash,
                  timestamp: b.meta.timestamp,
                })),
              );
              const to = part[part.length - 1]!.meta;
              const restart = stream.restarts[chunkNo % stream.restarts.length]!;
              for (const s of sides) {
                if (restart) s.mirror.reset();
                await s.mirror.prepare(s.store, indexed);
                s.mirror.apply(indexed);
                await s.store.transaction((tx) =>
                  s.mirror.flush(tx, {
                    blocks: part.filter((b) => b.events.length > 0).map((b) => b.meta),
                    cursor: to,
                  }),
                );
              }
              chain.push(...part);
              cursor = to;
              commits++;
              events += indexed.length;
              for (const e of indexed) seen.set(e.decoded.eventName, (seen.get(e.decoded.eventName) ?? 0) + 1);
              await compare(`after the commit of blocks ${part[0]!.meta.number}-${to.number}`);
            }
          };

          await extend(stream.blocks);
          for (const r of stream.reorgs) {
            // Roll back to a random earlier block (the ancestor), then index a different branch.
            const ancestorNo = genesis.number + Math.floor(r.back * (cursor.number - genesis.number));
            const ancestor =
              ancestorNo === genesis.number ? genesis : chain.find((b) => b.meta.number === ancestorNo)!.meta;
            for (const s of sides) {
              await s.store.transaction((tx) => rollbackStore(tx, { ancestor }));
              s.mirror.reset();
            }
            const cut = chain.findIndex((b) => b.meta.number > ancestorNo);
            if (cut >= 0) chain.splice(cut);
            for (const n of [...stateAt.keys()]) if (n > ancestorNo) stateAt.delete(n);
            cursor = ancestor;
            branch++;
            rollbacks++;
            await compare(`after the rollback to block ${ancestorNo}`);
            await extend(r.blocks);
          }
        }
      }),
      { numRuns: RUNS },
    );
    // The generators must actually exercise the machinery (not vacuous runs).
    expect(runs).toBeGreaterThanOrEqual(RUNS);
    expect(commits).toBeGreaterThan(RUNS);
    expect(rollbacks).toBeGreaterThan(0);
    expect(events).toBeGreaterThan(RUNS * 10);
    for (const name of ["PartyRekeyed", "RekeyProposed", "KeysSold", "SaleRefunded", "KeysRevoked", "KeysReinstated"])
      expect(seen.get(name) ?? 0, `${name} events generated`).toBeGreaterThan(0);
    console.info(
      `differential: ${runs} runs, ${commits} commits, ${rollbacks} rollbacks, ${events} events ` +
        `(${seen.get("KeysSold") ?? 0} sales, ${seen.get("SaleRefunded") ?? 0} refunds, ` +
        `${seen.get("PartyRekeyed") ?? 0} re-keys)`,
    );
  }, 300_000);
});

/**
 * A branch's model from its events: batches (first anchor of an id wins, as in both state
 * machines), registered accounts and their ids (re-keys applied), sale numbers per batch and the
 * sold keys not refunded yet.
 */
function branchModel(blocks: readonly ChainBlock[]): Model {
  const m: Model = { batches: [], parties: new Map(), nextId: 1, saleCount: new Map(), sold: [] };
  for (const b of blocks) {
    for (const e of b.events) {
      if (e.eventName === "BatchAnchored" && !m.batches.some((x) => x.id === e.args.batchId))
        m.batches.push({ id: e.args.batchId, supplier: e.args.supplier, count: Number(e.args.count) });
      if (e.eventName === "PartyRegistered") {
        m.parties.set(e.args.party, e.args.id);
        m.nextId = Math.max(m.nextId, e.args.id + 1);
      }
      if (e.eventName === "PartyRekeyed") {
        m.parties.delete(e.args.oldAccount);
        m.parties.set(e.args.newAccount, e.args.id);
        for (const x of m.sold) if (x.seller === e.args.oldAccount) x.seller = e.args.newAccount;
      }
      if (e.eventName === "KeysSold") {
        m.saleCount.set(e.args.batchId, Math.max(m.saleCount.get(e.args.batchId) ?? 0, e.args.saleNo));
        const a = e.args;
        a.indices.forEach((index, i) =>
          m.sold.push({ batchId: a.batchId, saleNo: a.saleNo, index, seller: a.seller, orderRef: a.orderRefs[i]! }),
        );
      }
      if (e.eventName === "SaleRefunded") {
        const k = m.sold.findIndex(
          (x) => x.batchId === e.args.batchId && x.saleNo === e.args.saleNo && x.index === e.args.index,
        );
        if (k >= 0) m.sold.splice(k, 1);
      }
    }
  }
  return m;
}
