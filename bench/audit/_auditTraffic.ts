/**
 * A seeded generator of KeyLedger v2 event streams for measuring the audit rules: honest traffic
 * (suppliers anchoring, shipping to authorised distributors, distributors supplying retailers,
 * retailers selling, buyers redeeming, a few refunds and freezes) with planted schemes — the
 * controls and evasions of the Audit v2 issue and variations of them — each scheme listing the
 * transactions that make it. Used by bench/audit/precisionRecall.ts and test/audit/auditV2Rules.test.ts.
 *
 * Events are what the audit consumes (lib/state `LedgerEvent`): realistic block numbers (one block
 * per distinct time, numbered by 12-second slots), log indices within blocks, transaction hashes.
 */
import { keccak256, toHex, type Address, type Hex } from "viem";
import type { DecodedLedgerLog, LedgerEvent } from "../../lib/state/types.js";
import type { AuditFinding, AuditRuleId } from "../../lib/formats/auditReport.js";
import { encodeProfileUri } from "../../lib/parties/encodeProfileUri.js";
import { prng } from "../../scripts/util/prng.js";
import type { GasFunding } from "../../audit/types.js";

/** What a planted scheme is. */
export type SchemeKind =
  | "large-transfer"
  | "structuring"
  | "structuring-keys"
  | "rapid-hops"
  | "slow-hops"
  | "cycle"
  | "linked-cycle"
  | "funded-cycle"
  | "redeemed-upstream"
  | "parking"
  | "freeze-lift"
  | "inactive-supplier"
  | "refund-rate"
  | "refund-repeat";

/** Rule families: the landed rule(s) and the v2 rule(s) meant to catch the same thing. */
export type Family = "volume" | "hops" | "cycles" | "upstream" | "freeze-lift" | "inactive-supplier" | "refunds";

/** The family of each scheme kind. */
export const SCHEME_FAMILY: Record<SchemeKind, Family> = {
  "large-transfer": "volume",
  structuring: "volume",
  "structuring-keys": "volume",
  "rapid-hops": "hops",
  "slow-hops": "hops",
  cycle: "cycles",
  "linked-cycle": "cycles",
  "funded-cycle": "cycles",
  "redeemed-upstream": "upstream",
  parking: "upstream",
  "freeze-lift": "freeze-lift",
  "inactive-supplier": "inactive-supplier",
  "refund-rate": "refunds",
  "refund-repeat": "refunds",
};

/** Rules of each family in the landed set and in Audit v2. */
export const FAMILY_RULES: Record<Family, { landed: AuditRuleId[]; v2: AuditRuleId[] }> = {
  volume: { landed: ["large-transfer"], v2: ["volume-window", "structuring"] },
  hops: { landed: ["rapid-hops"], v2: ["hop-speed"] },
  cycles: { landed: ["circular-flow"], v2: ["linked-circular-flow"] },
  upstream: {
    landed: ["redeemed-upstream", "redeemed-without-sale"],
    v2: ["redeemed-upstream", "parked-before-redemption", "redeemed-without-sale"],
  },
  "freeze-lift": { landed: [], v2: ["freeze-lifted-by-other"] },
  "inactive-supplier": {
    landed: ["suspended-party-action", "unauthorised-actor"],
    v2: ["inactive-supplier-act", "suspended-party-action", "unauthorised-actor"],
  },
  refunds: { landed: ["seller-refunds"], v2: ["refund-farming"] },
};

/** One planted scheme and the transactions that make it. */
export type PlantedScheme = { kind: SchemeKind; family: Family; description: string; txs: Hex[] };

/** Parameters of {@link generateAuditTraffic}. */
export type GenerateAuditTrafficParameters = {
  seed: number;
  /** Days of honest traffic (default 60). */
  days?: number;
  /** Instances of each scheme kind (default 4; 0 = honest traffic only). */
  perKind?: number;
};

/** What {@link generateAuditTraffic} returns. */
export type GeneratedAuditTraffic = {
  events: LedgerEvent[];
  schemes: PlantedScheme[];
  /**
   * Gas funding of every registered party (the audit option `gasFunding`): most honest parties by an
   * exchange's hot wallet (`exchangeFunders`), the others by a funder of their own; the funded-cycle
   * schemes' D and D' by one funder. Each funding is in the block of the party's registration.
   */
  gasFunding: Map<Address, GasFunding>;
  /** The exchange hot wallet that funds most honest parties (to ignore). */
  exchangeFunders: Address[];
  /** The volume limit the traffic is sized against (the audit's default: CNY 10,000,000.00 per hour). */
  volumeLimitValue: Record<string, bigint>;
};

const CNY = toHex("CNY", { size: 3 });
const ZERO32 = `0x${"0".repeat(64)}` as Hex;
const REGULATOR_ROLE = keccak256(toHex("REGULATOR_ROLE"));
const DAY = 86_400;
const LIMIT_FEN = 1_000_000_000n;

type Range = { batch: Hex; start: number; end: number };
type Batch = { id: Hex; supplier: Address; faceValue: bigint; count: number; next: number; saleNo: number };

/**
 * Generates honest traffic with planted schemes, deterministically from `seed`.
 *
 * @example
 * const { events, schemes } = generateAuditTraffic({ seed: 1 });
 * const { findings } = auditEvents(events, { rules: auditRulesV2 });
 */
export function generateAuditTraffic(parameters: GenerateAuditTrafficParameters): GeneratedAuditTraffic {
  const { seed } = parameters;
  const days = parameters.days ?? 60;
  const perKind = parameters.perKind ?? 4;
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const t0 = 1_767_225_600; // 2026-01-01T00:00:00Z
  const block0 = 5_000_000;

  // ---- event emission: buffered, then ordered by time and numbered into blocks ----------------
  type Tx = { t: number; seq: number; txHash: Hex; logs: DecodedLedgerLog[] };
  const txs: Tx[] = [];
  let txCounter = 0;
  const emit = (t: number, logs: DecodedLedgerLog[]): Hex => {
    const txHash = keccak256(toHex(`traffic:${seed}:tx:${txCounter}`));
    txs.push({ t: Math.floor(t), seq: txCounter++, txHash, logs });
    return txHash;
  };
  const registrations = new Map<Address, { hash: Hex }>();
  // Gas funding: account -> funder and the registration transaction (whose block it takes). Chosen
  // from a hash of the name, not from the seeded stream, so the traffic itself is unchanged.
  const fundedBy = new Map<Address, { funder: Address; tx: Hex }>();
  const exchange = `0x${keccak256(toHex(`traffic:${seed}:exchange hot wallet`)).slice(26)}` as Address;

  // ---- scheduler (min-heap on time, then insertion order) -----------------------------------
  type Job = { t: number; seq: number; run: (t: number) => void };
  const heap: Job[] = [];
  let seq = 0;
  const less = (a: Job, b: Job) => a.t < b.t || (a.t === b.t && a.seq < b.seq);
  const at = (t: number, run: (t: number) => void) => {
    heap.push({ t: Math.floor(t), seq: seq++, run });
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const pop = (): Job | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };

  // ---- parties --------------------------------------------------------------------------------
  const account = (name: string): Address =>
    `0x${keccak256(toHex(`traffic:${seed}:account:${name}`)).slice(26)}` as Address;
  const admin = account("admin");
  const registrar = account("registrar");
  const regulator = account("regulator");
  const redeemer = account("redemption service");
  const register = (
    t: number,
    name: string,
    kind: number,
    profile?: { hash?: Hex; name?: string; funder?: Address },
  ): Address => {
    const party = account(name);
    registrations.set(party, { hash: profile?.hash ?? keccak256(toHex(`profile:${name}`)) });
    const h = keccak256(toHex(`traffic:${seed}:funding:${name}`));
    const funder = profile?.funder ?? (parseInt(h.slice(2, 4), 16) < 180 ? exchange : (`0x${h.slice(26)}` as Address));
    const registration = emit(t, [
      {
        eventName: "PartyRegistered",
        args: {
          party,
          id: 0, // numbered in time order below
          kind,
          profileHash: profile?.hash ?? keccak256(toHex(`profile:${name}`)),
          profileURI: encodeProfileUri({ name: profile?.name ?? name }),
          accreditedUntil: 0n,
          registrar,
        },
      },
    ]);
    fundedBy.set(party, { funder, tx: registration });
    return party;
  };
  const authorise = (t: number, supplier: Address, distributor: Address, tier: number, certificate?: Hex) =>
    emit(t, [
      {
        eventName: "DistributorAuthorized",
        args: {
          supplier,
          distributor,
          tier,
          expiresAt: 0n,
          certificateHash: certificate ?? keccak256(toHex(`licence:${distributor}`)),
        },
      },
    ]);

  // ---- custody bookkeeping --------------------------------------------------------------------
  const batches = new Map<Hex, Batch>();
  const holdings = new Map<Address, Range[]>();
  const held = (p: Address) => holdings.get(p) ?? (holdings.set(p, []), holdings.get(p)!);
  /** Takes up to n keys (one range) from p's holdings, FIFO; optionally of one batch. */
  const take = (p: Address, n: number, batch?: Hex): Range | null => {
    const list = held(p);
    const i = batch ? list.findIndex((r) => r.batch === batch) : 0;
    const r = list[i];
    if (!r || n <= 0) return null;
    const k = Math.min(n, r.end - r.start);
    const out = { batch: r.batch, start: r.start, end: r.start + k };
    if (k === r.end - r.start) list.splice(i, 1);
    else r.start += k;
    return out;
  };
  const transferLog = (r: Range, from: Address, to: Address): DecodedLedgerLog => ({
    eventName: "CustodyTransferred",
    args: { batchId: r.batch, from, to, start: BigInt(r.start), end: BigInt(r.end), memo: ZERO32 },
  });
  /** A custody transfer; `keep` false: the keys leave the honest bookkeeping (a scheme owns them). */
  const transfer = (t: number, from: Address, to: Address, r: Range, keep = true): Hex => {
    if (keep) held(to).push({ ...r });
    return emit(t, [transferLog(r, from, to)]);
  };
  let batchNo = 0;
  const anchor = (t: number, supplier: Address, count: number, faceValue: bigint): Batch => {
    const id = keccak256(toHex(`traffic:${seed}:batch:${batchNo++}`));
    emit(t, [
      {
        eventName: "BatchAnchored",
        args: {
          batchId: id,
          supplier,
          label: `B${batchNo}`,
          root: keccak256(toHex(`root:${id}`)),
          count: BigInt(count),
          productId: keccak256(toHex(`product:${supplier}:${faceValue}`)),
          faceValue,
          currency: CNY,
          expiresAt: 0n,
          restricted: false,
          saleRequired: false,
          manifestHash: keccak256(toHex(`manifest:${id}`)),
          manifestURI: `https://keys.example/${id.slice(2, 10)}/manifest.json`,
        },
      },
    ]);
    const b: Batch = { id, supplier, faceValue, count, next: 0, saleNo: 0 };
    batches.set(id, b);
    held(supplier).push({ batch: id, start: 0, end: count });
    return b;
  };
  const keysForShare = (b: Batch, share: number) =>
    Math.max(1, Math.floor((share * Number(LIMIT_FEN)) / Number(b.faceValue)));
  const sell = (t: number, seller: Address, indices: number[], batch: Hex): Hex => {
    const b = batches.get(batch)!;
    const saleNo = ++b.saleNo;
    return emit(t, [
      {
        eventName: "KeysSold",
        args: {
          batchId: batch,
          seller,
          saleNo,
          root: keccak256(toHex(`sale:${batch}:${saleNo}`)),
          soldAt: BigInt(t),
          context: {
            store: keccak256(toHex(`store:${seller}`)),
            terminal: ZERO32,
            amount: b.faceValue * BigInt(indices.length),
            currency: CNY,
          },
          indices: indices.map(BigInt),
          commitments: indices.map((i) => keccak256(toHex(`c:${batch}:${i}:${saleNo}`))),
          orderRefs: indices.map((i) => keccak256(toHex(`o:${batch}:${i}:${saleNo}`))),
        },
      },
    ]);
  };
  const saleOf = new Map<string, number>();
  const redeem = (t: number, batch: Hex, index: number): Hex =>
    emit(t, [
      {
        eventName: "KeysRedeemed",
        args: { batchId: batch, by: redeemer, wordIndex: BigInt(index >> 8), mask: 1n << BigInt(index & 255) },
      },
    ]);
  const refund = (t: number, seller: Address, batch: Hex, index: number): Hex =>
    emit(t, [
      {
        eventName: "SaleRefunded",
        args: {
          batchId: batch,
          seller,
          saleNo: saleOf.get(`${batch}:${index}`) ?? 0,
          index: BigInt(index),
          orderRef: keccak256(toHex(`refund:${batch}:${index}:${t}`)),
        },
      },
      {
        eventName: "KeysRevoked",
        args: {
          batchId: batch,
          by: seller,
          start: BigInt(index),
          end: BigInt(index + 1),
          reason: 6,
          byRegulator: false,
        },
      },
    ]);

  // ---- the honest world -----------------------------------------------------------------------
  emit(t0, [{ eventName: "RoleGranted", args: { role: REGULATOR_ROLE, account: regulator, sender: admin } }]);
  const faceValues = [1_000n, 10_000n, 100_000n]; // 10, 100 and 1,000 CNY cards
  const suppliers = faceValues.map((_, i) => register(t0 + 60, `Supplier ${["Alpha", "Beta", "Gamma"][i]}`, 1));
  const tier1 = ["North", "South", "East", "West"].map((n) => register(t0 + 120, `${n} Wholesale`, 2));
  const tier2 = ["Harbour", "Valley"].map((n) => register(t0 + 180, `${n} Trading`, 2));
  const retailers = Array.from({ length: 10 }, (_, i) => register(t0 + 240, `Retail Shop ${i + 1}`, 3));
  for (const s of suppliers) {
    for (const d of tier1) authorise(t0 + 300, s, d, 1);
    for (const d of tier2) authorise(t0 + 300, s, d, 2);
    emit(t0 + 300, [{ eventName: "RedeemerSet", args: { supplier: s, redeemer, allowed: true } }]);
  }
  const end = t0 + days * DAY;
  const sellable = (r: Address) => held(r).length > 0;

  // Suppliers anchor a batch every 10-20 days and ship to tier 1 every 2-4 days (share 0.05-0.6).
  suppliers.forEach((s, i) => {
    const fv = faceValues[i]!;
    const anchorLoop = (t: number) => {
      if (t > end) return;
      anchor(t, s, 40_000, fv);
      at(t + int(10, 20) * DAY, anchorLoop);
    };
    at(t0 + 3_600 + i * 600, anchorLoop);
    const ship = (t: number) => {
      if (t > end) return;
      const r = held(s)[0];
      if (r) {
        const b = batches.get(r.batch)!;
        const n = Math.min(keysForShare(b, 0.05 + rnd() * 0.55), 12_000);
        const range = take(s, n);
        if (range) transfer(t, s, pick(tier1), range);
      }
      at(t + int(2 * DAY, 4 * DAY), ship);
    };
    at(t0 + 7_200 + i * 3_000, ship);
  });
  // Tier 1 supplies retailers (and sometimes tier 2) daily; tier 2 supplies retailers.
  for (const d of [...tier1, ...tier2]) {
    const supply = (t: number) => {
      if (t > end) return;
      const toTier2 = tier1.includes(d) && rnd() < 0.2;
      const range = take(d, toTier2 ? int(500, 2_000) : int(50, 400));
      if (range) transfer(t, d, toTier2 ? pick(tier2) : pick(retailers), range);
      at(t + int(DAY / 2, 2 * DAY), supply);
    };
    at(t0 + DAY + int(0, DAY), supply);
  }
  // Retailers sell 1-3 keys several times a day; buyers redeem within 1 hour to 5 days; ~2 % refunds.
  for (const r of retailers) {
    const shop = (t: number) => {
      if (t > end) return;
      if (sellable(r)) {
        const range = take(r, int(1, 3))!;
        const indices = Array.from({ length: range.end - range.start }, (_, k) => range.start + k);
        sell(t, r, indices, range.batch);
        const saleNo = batches.get(range.batch)!.saleNo;
        for (const i of indices) {
          saleOf.set(`${range.batch}:${i}`, saleNo);
          if (rnd() < 0.02) at(t + int(600, DAY), (u) => refund(u, r, range.batch, i));
          else at(t + int(3_600, 5 * DAY), (u) => redeem(u, range.batch, i));
        }
      }
      at(t + int(1_800, 6 * 3_600), shop);
    };
    at(t0 + 2 * DAY + int(0, DAY), shop);
  }
  // Now and then a supplier freezes keys it holds (stolen) and lifts its own freeze later.
  for (const s of suppliers) {
    const freeze = (t: number) => {
      if (t > end) return;
      const r = held(s)[0];
      if (r && r.end - r.start > 100) {
        const start = r.end - 50;
        emit(t, [
          {
            eventName: "KeysRevoked",
            args: { batchId: r.batch, by: s, start: BigInt(start), end: BigInt(r.end), reason: 1, byRegulator: false },
          },
        ]);
        const batch = r.batch;
        const stop = r.end;
        if (rnd() < 0.5)
          at(t + int(DAY, 5 * DAY), (u) =>
            emit(u, [
              {
                eventName: "KeysReinstated",
                args: { batchId: batch, by: s, start: BigInt(start), end: BigInt(stop), byRegulator: false },
              },
            ]),
          );
        r.end = start; // frozen keys are not shipped
      }
      at(t + int(8 * DAY, 20 * DAY), freeze);
    };
    at(t0 + 5 * DAY + int(0, DAY), freeze);
  }

  // ---- planted schemes ------------------------------------------------------------------------
  const schemes: PlantedScheme[] = [];
  const plant = (kind: SchemeKind, description: string): PlantedScheme => {
    const s = { kind, family: SCHEME_FAMILY[kind], description, txs: [] as Hex[] };
    schemes.push(s);
    return s;
  };
  const when = (k: number, n: number) => t0 + 3 * DAY + Math.floor(((k + rnd() * 0.8) * (days - 6) * DAY) / n);
  let aliasNo = 0;
  const newParty = (t: number, kind: number, profile?: { hash?: Hex; name?: string }) =>
    register(t, `Planted ${kind} ${aliasNo++}`, kind, profile);
  /** A planted supplier with its own batch of `count` keys of `faceValue`, shipping nothing else. */
  const plantedSupplier = (t: number, count: number, faceValue: bigint) => {
    const s = newParty(t, 1);
    for (const d of [...tier1, ...tier2]) authorise(t, s, d, 1);
    emit(t, [{ eventName: "RedeemerSet", args: { supplier: s, redeemer, allowed: true } }]);
    return { s, b: anchor(t + 60, s, count, faceValue) };
  };

  for (let k = 0; k < perKind; k++) {
    const n = perKind;
    // Volume: one transaction over the limit (1.2-3 times).
    at(when(k, n), (t) => {
      const { s, b } = plantedSupplier(t, 40_000, 100_000n);
      const sc = plant("large-transfer", "one transfer over the volume limit");
      sc.txs.push(transfer(t + 600, s, pick(tier1), take(s, keysForShare(b, 1.2 + rnd() * 1.8))!, false));
    });
    // Structuring: 3-10 transfers of 0.80-0.999 of the limit, seconds to 2 days apart, one or many recipients.
    at(when(k, n), (t) => {
      const { s, b } = plantedSupplier(t, 120_000, 100_000n);
      const sc = plant("structuring", "transfers just under the limit");
      const count = int(3, 10);
      const fan = rnd() < 0.5;
      const to = pick(tier1);
      let u = t + 600;
      for (let i = 0; i < count; i++) {
        const range = take(s, keysForShare(b, 0.8 + rnd() * 0.199))!;
        sc.txs.push(transfer(u, s, fan ? pick([...tier1, ...tier2]) : to, range, false));
        u += pick([int(5, 120), int(600, 7_200), int(DAY / 2, 2 * DAY)]);
      }
    });
    // Structuring where the value is unknown (face value 0): key counts just under the key limit.
    at(when(k, n), (t) => {
      const { s } = plantedSupplier(t, 2_000_000, 0n);
      const sc = plant("structuring-keys", "key counts just under the key limit (value unknown)");
      const to = pick(tier1);
      let u = t + 600;
      for (let i = 0, count = int(3, 6); i < count; i++) {
        sc.txs.push(transfer(u, s, to, take(s, int(160_001, 199_999))!, false));
        u += int(60, DAY);
      }
    });
    // Hops: four transfers within seconds, or spaced 1,201 s to 5 h apart (past the landed window).
    for (const kind of ["rapid-hops", "slow-hops"] as const) {
      at(when(k, n), (t) => {
        const { s } = plantedSupplier(t, 5_000, 10_000n);
        const sc = plant(kind, kind === "rapid-hops" ? "four hops within minutes" : "four hops 1,201 s or more apart");
        const first = pick(tier1);
        const path = [first, pick(tier2), pick(tier1.filter((x) => x !== first)), pick(retailers)];
        const range = take(s, int(10, 500))!;
        let u = t + 600;
        let from = s;
        for (const to of path) {
          sc.txs.push(transfer(u, from, to, range, false));
          from = to;
          u += kind === "rapid-hops" ? int(5, 400) : int(1_201, 5 * 3_600);
        }
      });
    }
    // Cycles: D -> E -> D, and D -> E -> D' with D' linked to D four ways.
    for (const kind of ["cycle", "linked-cycle"] as const) {
      at(when(k, n), (t) => {
        const { s } = plantedSupplier(t, 5_000, 10_000n);
        const d = newParty(t, 2, { name: `Jinpeng Trading ${k}${kind === "cycle" ? "c" : "l"}` });
        authorise(t, s, d, 1, keccak256(toHex(`licence:${d}`)));
        const e = pick(tier2);
        const sc = plant(kind, "");
        const range = take(s, int(10, 500))!;
        let u = t + 3_600;
        sc.txs.push(transfer(u, s, d, range, false));
        u += int(DAY, 3 * DAY);
        sc.txs.push(transfer(u, d, e, range, false));
        u += int(DAY, 3 * DAY);
        let back = d;
        if (kind === "linked-cycle") {
          const how = k % 4;
          if (how === 0) {
            back = newParty(u - 600, 2, { hash: registrations.get(d)!.hash });
            sc.description = "D -> E -> D' (same profile hash)";
          } else if (how === 1) {
            back = newParty(u - 600, 2, { name: `Jinpeng Tradіng ${k}l` }); // Cyrillic і
            sc.description = "D -> E -> D' (confusable name)";
          } else if (how === 2) {
            back = newParty(u - 600, 2);
            authorise(u - 600, s, back, 1, keccak256(toHex(`licence:${d}`)));
            sc.description = "D -> E -> D' (shared licence certificate)";
          } else {
            back = account(`rekeyed ${aliasNo++}`);
            emit(u - 600, [
              { eventName: "RekeyProposed", args: { oldAccount: d, newAccount: back, proposer: registrar } },
            ]);
            sc.txs.push(
              emit(u - 300, [
                {
                  eventName: "PartyRekeyed",
                  args: { oldAccount: d, newAccount: back, id: 0, proposer: registrar, confirmer: regulator },
                },
              ]),
            );
            sc.description = "D -> E -> D' (D re-keyed to D')";
          }
        } else sc.description = "D -> E -> D";
        sc.txs.push(transfer(u, e, back, range, false));
      });
    }
    // D -> E -> D' where D' shares nothing with D on the ledger, but one account paid both their gas.
    // Times and parties without the seeded stream (the other traffic stays as it was).
    at(t0 + 3 * DAY + Math.floor(((k + 0.5) * (days - 6) * DAY) / n) + 7_200, (t) => {
      const { s } = plantedSupplier(t, 5_000, 10_000n);
      const funder = `0x${keccak256(toHex(`traffic:${seed}:ring funder ${k}`)).slice(26)}` as Address;
      const d = register(t, `Orchid Trading ${k}`, 2, { funder });
      authorise(t, s, d, 1);
      const e = tier2[k % tier2.length]!;
      const sc = plant("funded-cycle", "D -> E -> D' (one gas funder, nothing else shared)");
      const range = take(s, 40)!;
      let u = t + 3_600;
      sc.txs.push(transfer(u, s, d, range, false));
      u += DAY + 3_600 * k;
      sc.txs.push(transfer(u, d, e, range, false));
      u += DAY;
      const back = register(u - 600, `Maple Supply ${k}`, 2, { funder });
      sc.txs.push(transfer(u, e, back, range, false));
    });
    // Redeemed upstream (control) and parked with a sham retailer first (evasion).
    for (const kind of ["redeemed-upstream", "parking"] as const) {
      at(when(k, n), (t) => {
        // Half on a batch with sales (an honest supplier's), half on a batch never sold.
        let s = pick(suppliers);
        let range = k % 2 === 0 ? take(s, int(5, 50)) : null;
        if (!range) {
          s = plantedSupplier(t, 5_000, 10_000n).s;
          range = take(s, int(5, 50))!;
        }
        const d = pick(tier1);
        const sc = plant(
          kind,
          kind === "parking"
            ? `parked with a sham retailer (${k % 2 === 0 ? "batch with sales" : "batch never sold"})`
            : "redeemed while a distributor holds",
        );
        let u = t + 600;
        sc.txs.push(transfer(u, s, d, range, false));
        if (kind === "parking") {
          const sham = newParty(u + 60, 3);
          u += int(600, 3 * DAY);
          sc.txs.push(transfer(u, d, sham, range, false));
        }
        u += int(60, 3 * DAY);
        for (let i = range.start; i < Math.min(range.end, range.start + 5); i++)
          sc.txs.push(redeem(u + i - range.start, range.batch, i));
      });
    }
    // A freeze lifted by another party: a regulator's freeze (one-layer, version 1 stream) lifted by
    // the supplier, or a supplier's freeze lifted by a regulator.
    at(when(k, n), (t) => {
      const { s, b } = plantedSupplier(t, 5_000, 10_000n);
      const sc = plant("freeze-lift", "");
      const supplierLifts = k % 2 === 0;
      const [freezer, lifter] = supplierLifts ? [regulator, s] : [s, regulator];
      sc.description = supplierLifts
        ? "a regulator's freeze lifted by the supplier"
        : "a supplier's freeze lifted by a regulator";
      const start = int(0, 4_000);
      emit(t + 600, [
        {
          eventName: "KeysRevoked",
          args: {
            batchId: b.id,
            by: freezer,
            start: BigInt(start),
            end: BigInt(start + 100),
            reason: 1,
            byRegulator: false,
          },
        },
      ]);
      sc.txs.push(
        emit(t + 600 + int(3_600, 5 * DAY), [
          {
            eventName: "KeysReinstated",
            args: {
              batchId: b.id,
              by: lifter,
              start: BigInt(start),
              end: BigInt(start + 100),
              byRegulator: !supplierLifts,
            },
          },
        ]),
      );
    });
    // A suspended supplier reinstates keys it froze, or a re-keyed-away supplier account revokes keys.
    at(when(k, n), (t) => {
      const { s, b } = plantedSupplier(t, 5_000, 10_000n);
      const sc = plant("inactive-supplier", "");
      const start = int(0, 4_000);
      if (k % 2 === 0) {
        sc.description = "a suspended supplier lifts freezes";
        emit(t + 600, [
          {
            eventName: "KeysRevoked",
            args: {
              batchId: b.id,
              by: s,
              start: BigInt(start),
              end: BigInt(start + 100),
              reason: 1,
              byRegulator: false,
            },
          },
        ]);
        emit(t + 3_600, [
          { eventName: "PartySuspended", args: { party: s, reasonHash: ZERO32, by: regulator, byRegulator: true } },
        ]);
        sc.txs.push(
          emit(t + 3_600 + int(600, 3 * DAY), [
            {
              eventName: "KeysReinstated",
              args: { batchId: b.id, by: s, start: BigInt(start), end: BigInt(start + 100), byRegulator: false },
            },
          ]),
        );
      } else {
        sc.description = "the old account of a re-keyed supplier acts";
        const next = account(`rekeyed supplier ${aliasNo++}`);
        emit(t + 600, [{ eventName: "RekeyProposed", args: { oldAccount: s, newAccount: next, proposer: registrar } }]);
        sc.txs.push(
          emit(t + 900, [
            {
              eventName: "PartyRekeyed",
              args: { oldAccount: s, newAccount: next, id: 0, proposer: registrar, confirmer: regulator },
            },
          ]),
        );
        sc.txs.push(
          emit(t + 900 + int(600, 3 * DAY), [
            {
              eventName: "KeysRevoked",
              args: {
                batchId: b.id,
                by: s,
                start: BigInt(start),
                end: BigInt(start + 100),
                reason: 5,
                byRegulator: false,
              },
            },
          ]),
        );
      }
    });
    // Refunds: a seller refunding 15-35 % within a week, or keys sold, refunded and sold again.
    for (const kind of ["refund-rate", "refund-repeat"] as const) {
      at(when(k, n), (t) => {
        const { s } = plantedSupplier(t, 5_000, 10_000n);
        const r = newParty(t, 3);
        const sc = plant(kind, kind === "refund-rate" ? "refunds at 15-35 % of sales" : "keys refunded twice");
        const range = take(s, 400)!;
        transfer(t + 600, s, r, range, false);
        const sold = kind === "refund-rate" ? int(30, 60) : int(150, 250);
        let u = t + 3_600;
        const idx: number[] = [];
        for (let i = 0; i < sold; i++) {
          const index = range.start + i;
          sell(u, r, [index], range.batch);
          saleOf.set(`${range.batch}:${index}`, batches.get(range.batch)!.saleNo);
          idx.push(index);
          u += int(300, 3_600);
        }
        if (kind === "refund-rate") {
          const refunds = Math.ceil(sold * (0.15 + rnd() * 0.2));
          for (let i = 0; i < refunds; i++) sc.txs.push(refund(u + i * int(300, 3_600), r, range.batch, idx[i]!));
        } else {
          for (const index of idx.slice(0, 2)) {
            sc.txs.push(refund(u, r, range.batch, index));
            u += 600;
            emit(u, [
              {
                eventName: "KeysReinstated",
                args: { batchId: range.batch, by: s, start: BigInt(index), end: BigInt(index + 1), byRegulator: false },
              },
            ]);
            u += 600;
            sc.txs.push(sell(u, r, [index], range.batch));
            saleOf.set(`${range.batch}:${index}`, batches.get(range.batch)!.saleNo);
            u += int(600, DAY);
            sc.txs.push(refund(u, r, range.batch, index));
            u += 600;
          }
        }
      });
    }
  }

  for (let job = pop(); job; job = pop()) job.run(job.t);
  const events = toEvents(txs, seed, block0, t0);
  const blockOf = new Map(events.map((e) => [e.txHash, e] as const));
  const gasFunding = new Map<Address, GasFunding>();
  for (const [account, { funder, tx }] of fundedBy) {
    const e = blockOf.get(tx)!;
    gasFunding.set(account, {
      account,
      funder,
      txHash: keccak256(toHex(`traffic:${seed}:funding tx:${account}`)),
      blockNumber: Number(e.blockNumber),
      timestamp: Number(e.timestamp),
      value: 10n ** 17n,
    });
  }
  return { events, schemes, gasFunding, exchangeFunders: [exchange], volumeLimitValue: { CNY: LIMIT_FEN } };
}

/**
 * Orders the buffered transactions by time (then emission), numbers blocks (one per distinct time,
 * advanced by 12-second slots) and log indices, and numbers parties in registration order.
 */
function toEvents(
  txs: { t: number; seq: number; txHash: Hex; logs: DecodedLedgerLog[] }[],
  seed: number,
  block0: number,
  t0: number,
): LedgerEvent[] {
  txs.sort((a, b) => a.t - b.t || a.seq - b.seq);
  const events: LedgerEvent[] = [];
  const ids = new Map<string, number>();
  let lastT = t0;
  let block = block0;
  let logIndex = 0;
  for (const tx of txs) {
    if (tx.t > lastT) {
      block += Math.max(1, Math.round((tx.t - lastT) / 12));
      lastT = tx.t;
      logIndex = 0;
    }
    const blockHash = keccak256(toHex(`traffic:${seed}:block:${block}`));
    for (const log of tx.logs) {
      let args = log.args as Record<string, unknown>;
      if (log.eventName === "PartyRegistered") {
        ids.set(log.args.party, ids.size + 1);
        args = { ...args, id: ids.size };
      } else if (log.eventName === "PartyRekeyed") {
        const id = ids.get(log.args.oldAccount) ?? 0;
        ids.set(log.args.newAccount, id);
        args = { ...args, id };
      }
      events.push({
        ...log,
        args,
        blockNumber: BigInt(block),
        blockHash,
        logIndex: logIndex++,
        txHash: tx.txHash,
        timestamp: BigInt(tx.t),
      } as LedgerEvent);
    }
  }
  return events;
}

/** Precision and recall of one rule family (or all) for one rule set. */
export type Score = {
  family: Family | "all";
  schemes: number;
  detected: number;
  recall: number;
  findings: number;
  truePositives: number;
  precision: number;
};

/**
 * Scores findings against the planted schemes. A finding is a true positive when the transaction it
 * is anchored at belongs to a planted scheme; a scheme is detected when a finding of one of its
 * family's rules (for this rule set) is anchored at one of its transactions. Precision per family
 * counts the findings of the family's rules; "all" counts every finding of every rule.
 */
export function scoreFindings(
  findings: readonly AuditFinding[],
  schemes: readonly PlantedScheme[],
  set: "landed" | "v2",
): Score[] {
  const planted = new Set(schemes.flatMap((s) => s.txs));
  const families = [...new Set(Object.values(SCHEME_FAMILY))];
  const rows: Score[] = families.map((family) => {
    const rules = new Set<string>(FAMILY_RULES[family][set]);
    const mine = schemes.filter((s) => s.family === family);
    const detected = mine.filter((s) => findings.some((f) => rules.has(f.ruleId) && s.txs.includes(f.txHash))).length;
    const fs = findings.filter((f) => rules.has(f.ruleId));
    const tp = fs.filter((f) => planted.has(f.txHash)).length;
    return {
      family,
      schemes: mine.length,
      detected,
      recall: mine.length ? detected / mine.length : 1,
      findings: fs.length,
      truePositives: tp,
      precision: fs.length ? tp / fs.length : 1,
    };
  });
  const detected = rows.reduce((n, r) => n + r.detected, 0);
  const tp = findings.filter((f) => planted.has(f.txHash)).length;
  rows.push({
    family: "all",
    schemes: schemes.length,
    detected,
    recall: schemes.length ? detected / schemes.length : 1,
    findings: findings.length,
    truePositives: tp,
    precision: findings.length ? tp / findings.length : 1,
  });
  return rows;
}
