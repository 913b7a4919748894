import { getAddress, numberToHex } from "viem";
import type { Address, Hex } from "viem";
import { ProofError } from "./errors.js";
import { batchMapBase, batchSlot, bits, mappingSlot, partyRefSlot, saleRecordSlot, slotHex } from "./ledgerV2Slots.js";
import type { AgreedBlock } from "./agreeOnBlock.js";
import { verifyAccountProof, verifyStorageProof } from "./verifyAccountProof.js";
import type { ProofNodeCache } from "./verifyAccountProof.js";

/** `eth_getProof`'s answer (the fields used). */
export type GetProofResponse = {
  accountProof: Hex[];
  storageProof: { key: Hex; value: Hex; proof: Hex[] }[];
};

/** Fetches `eth_getProof(ledger, slots, block)` from any RPC: the answer is checked, so its source need not be trusted. */
export type FetchProof = (slots: Hex[], block: bigint) => Promise<GetProofResponse>;

/** A key's status as proven from storage at one block: the fields of KeyLedgerV2.keyStatus, and the sale record. */
export type ProvenKeyStatus = {
  /** The block the proof was checked against. */
  block: AgreedBlock;
  /** False when the batch does not exist (nothing else is set then). */
  exists: boolean;
  /** The index is beyond the batch's count (nothing else but the batch fields is set then). */
  outOfRange: boolean;
  root: Hex;
  supplier: Address;
  issuerSuspended: boolean;
  count: bigint;
  expiresAt: bigint;
  restricted: boolean;
  saleRequired: boolean;
  holder: Address;
  segmentStart: bigint;
  segmentEnd: bigint;
  /** Regulator layer's reason, and the supplier layer's (0 = none). */
  regulatorReason: number;
  supplierReason: number;
  redeemed: boolean;
  saleNo: number;
  sold: boolean;
  refunded: boolean;
  /** The sale record when the key has a sale pointer. */
  sale: { seller: Address; soldAt: bigint; root: Hex } | null;
  /** Slots proven, and proof rounds used. */
  slots: number;
  rounds: number;
};

const FLAG_RESTRICTED = 1n;
const FLAG_SALE_REQUIRED = 2n;
const FLAG_REG_LAYER = 4n;
const FLAG_SUP_LAYER = 8n;
const FLAG_SOLD = 16n;
const FLAG_LEAF0 = 32n;
const MAX_ROUNDS = 12;

const msb = (x: bigint): bigint => BigInt(x.toString(2).length - 1);
const lsb = (x: bigint): bigint => msb(x & -x);

/** RangeMap.pred over proven storage (see contracts/v2/lib/RangeMap.sol). */
function pred(read: (s: bigint) => bigint, base: bigint, i: bigint, v0: bigint, leaf0: boolean): [bigint, bigint] {
  const at = (key: bigint) => read(mappingSlot(key, base));
  let k = i >> 3n;
  if (k === 0n && !leaf0) return [0n, v0];
  let leaf = at(k);
  let b = (leaf | (k === 0n ? 1n : 0n)) & ((2n << (i & 7n)) - 1n);
  if (b === 0n) {
    let l = 0n;
    for (;;) {
      if (k === 0n) return [0n, v0];
      const pos = k & 255n;
      k >>= 8n;
      l++;
      const w = (at((l << 64n) | k) | (k === 0n ? 1n : 0n)) & ((1n << pos) - 1n);
      if (w !== 0n) {
        k = (k << 8n) | msb(w);
        while (--l !== 0n) k = (k << 8n) | msb(at((l << 64n) | k) | (k === 0n ? 1n : 0n));
        if (k === 0n && !leaf0) return [0n, v0];
        leaf = at(k);
        b = (leaf | (k === 0n ? 1n : 0n)) & 0xffn;
        break;
      }
    }
  }
  const o = msb(b);
  const boundary = (k << 3n) | o;
  return [boundary, boundary === 0n ? v0 : (leaf >> (8n + 24n * o)) & 0xffffffn];
}

/** RangeMap.next over proven storage. */
function next(read: (s: bigint) => bigint, base: bigint, i: bigint, limit: bigint): bigint {
  const at = (key: bigint) => read(mappingSlot(key, base));
  let k = i >> 3n;
  let b = at(k) & 0xffn & ~((2n << (i & 7n)) - 1n);
  if (b === 0n) {
    let l = 0n;
    for (;;) {
      if ((k + 1n) << (8n * l + 3n) >= limit) return limit;
      const pos = k & 255n;
      k >>= 8n;
      l++;
      const w = at((l << 64n) | k) & ~((2n << pos) - 1n);
      if (w !== 0n) {
        k = (k << 8n) | lsb(w);
        while (--l !== 0n) k = (k << 8n) | lsb(at((l << 64n) | k));
        b = at(k) & 0xffn;
        break;
      }
    }
  }
  const boundary = (k << 3n) | lsb(b);
  return boundary < limit ? boundary : limit;
}

/** Levels above the leaves of a batch's range maps (RangeMap.topLevel). */
function topLevel(count: bigint): bigint {
  const k = (count - 1n) >> 3n;
  let l = 1n;
  while (k >> (8n * l) !== 0n) l++;
  return l;
}

/** The slots of a key's leaf and its ancestor bitmap words up to level `top`. */
function pathSlots(base: bigint, i: bigint, top: bigint): bigint[] {
  const k = i >> 3n;
  const out = [mappingSlot(k, base)];
  for (let l = 1n; l <= top; l++) out.push(mappingSlot((l << 64n) | (k >> (8n * l)), base));
  return out;
}

/**
 * The slots asked in the first proof round, computed from the batch id and the index alone (no value
 * read yet): the batch record (two words); for custody, both freeze layers and sales, the key's leaf
 * and its ancestor bitmap words up to one level above the lowest batch that holds the index (the
 * count is not known yet: a larger batch's upper levels are fetched when a lookup reaches them); and
 * the redemption word. Slots that a lookup turns out not to need (a layer the batch's flags say is
 * empty, an index past the count) are fetched with the rest, and neither checked nor used. What only values can name is
 * left to later rounds: the issuer's and holder's party records (their ids are read), a word a
 * lookup descends into, a sale record and its seller.
 *
 * @param batchId - the batch.
 * @param index - the key.
 * @returns the slot numbers.
 */
export function speculativeSlots(batchId: Hex, index: bigint): bigint[] {
  const b = batchSlot(batchId);
  const top = topLevel(index + 1n) + 1n;
  return [
    b,
    b + 1n,
    ...(["custody", "regFreeze", "supFreeze", "sales"] as const).flatMap((m) =>
      pathSlots(batchMapBase(m, batchId), index, top),
    ),
    mappingSlot(index >> 8n, batchMapBase("redeemed", batchId)),
  ];
}

/**
 * Reads one key's status from KeyLedger v2's storage with `eth_getProof` at an agreed block and
 * checks every word it reads against the block's state root: the account proof against
 * `block.stateRoot`, each storage proof of a word read against the proven storage root (a fetched
 * word that is never read is never checked, nor used). It replays the ledger's own lookups
 * (RangeMap over custody, both freeze layers and sales; the redemption bitmap; the party and sale
 * records) on proven words only, fetching what a lookup needs in a few rounds: a first round of every slot the batch id and the
 * index name ({@link speculativeSlots}), then only slots named by values read (usually one more round).
 * The proofs may come from any RPC, a lying one included: a lie can make this throw a
 * {@link ProofError}, never return a false status.
 *
 * @param parameters.ledger - the KeyLedger v2 address.
 * @param parameters.batchId - the batch.
 * @param parameters.index - the key.
 * @param parameters.block - a block several RPCs agree on (see agreeOnBlock).
 * @param parameters.fetchProof - eth_getProof for the ledger.
 * @returns the proven status.
 * @example
 * const st = await readProvenKeyStatus({ ledger, batchId, index: 7n, block, fetchProof });
 */
export async function readProvenKeyStatus(parameters: {
  ledger: Address;
  batchId: Hex;
  index: bigint;
  block: AgreedBlock;
  fetchProof: FetchProof;
}): Promise<ProvenKeyStatus> {
  const { ledger, batchId, index, block } = parameters;
  const proven = new Map<bigint, bigint>();
  // Fetched storage proofs not checked yet: each is checked when its slot is first read (a slot fetched
  // on speculation and never read — a freeze layer or sales map the flags say is empty — costs no
  // check; a word that is read is always proven first).
  const unchecked = new Map<bigint, { slot: Hex; proof: Hex[] }>();
  const fetched = () => proven.size + unchecked.size;
  // The storage proofs of one answer share their upper nodes: each node is decoded and hashed once.
  const cache: ProofNodeCache = new Map();
  let storageRoot: Hex | null = null;
  let rounds = 0;
  const fetchSlots = async (slots: bigint[]) => {
    const want = [...new Set(slots)].filter((s) => !proven.has(s) && !unchecked.has(s));
    if (want.length === 0) return;
    if (++rounds > MAX_ROUNDS)
      throw new ProofError(`Proven status of ${batchId} #${index}: more than ${MAX_ROUNDS} proof rounds.`);
    const hexes = want.map(slotHex);
    const res = await parameters.fetchProof(hexes, block.number);
    if (!storageRoot) {
      const account = verifyAccountProof({
        stateRoot: block.stateRoot,
        address: ledger,
        proof: res.accountProof,
        cache,
      });
      if (!account) throw new ProofError(`Ledger ${ledger} has no account at block ${block.number}.`);
      storageRoot = account.storageRoot;
    }
    for (let i = 0; i < want.length; i++) {
      const sp = res.storageProof.find((p) => BigInt(p.key) === want[i]!);
      if (!sp) throw new ProofError(`eth_getProof left out slot ${hexes[i]} of ${ledger} at block ${block.number}.`);
      unchecked.set(want[i]!, { slot: hexes[i]!, proof: sp.proof });
    }
  };
  // A slot not proven yet reads as 0 and is noted: every lookup goes as far as it can in one attempt, so
  // independent lookups (custody, both freeze layers, sales, records) fetch their next slots together.
  let missing = new Set<bigint>();
  const read = (slot: bigint): bigint => {
    let v = proven.get(slot);
    const u = v === undefined ? unchecked.get(slot) : undefined;
    if (u) {
      v = verifyStorageProof({ storageRoot: storageRoot!, slot: u.slot, proof: u.proof, cache });
      unchecked.delete(slot);
      proven.set(slot, v);
    }
    if (v === undefined) {
      missing.add(slot);
      return 0n;
    }
    return v;
  };
  const bSlot = batchSlot(batchId);
  await fetchSlots(speculativeSlots(batchId, index));
  for (;;) {
    missing = new Set();
    const result = attempt();
    if (missing.size === 0) return { ...result, slots: fetched(), rounds };
    await fetchSlots([...missing]);
  }

  function attempt(): ProvenKeyStatus {
    const root = numberToHex(read(bSlot), { size: 32 });
    const packed = read(bSlot + 1n);
    const supplierId = bits(packed, 0, 24);
    const empty = {
      block,
      root,
      supplier: getAddress(numberToHex(0n, { size: 20 })),
      issuerSuspended: false,
      count: 0n,
      expiresAt: 0n,
      restricted: false,
      saleRequired: false,
      holder: getAddress(numberToHex(0n, { size: 20 })),
      segmentStart: 0n,
      segmentEnd: 0n,
      regulatorReason: 0,
      supplierReason: 0,
      redeemed: false,
      saleNo: 0,
      sold: false,
      refunded: false,
      sale: null,
      slots: fetched(),
      rounds,
    };
    if (supplierId === 0n) return { ...empty, exists: false, outOfRange: false };
    const count = bits(packed, 24, 48);
    const flags = bits(packed, 112, 8);
    const account = (id: bigint) => {
      const w = read(partyRefSlot(id));
      return { address: getAddress(numberToHex(bits(w, 0, 160), { size: 20 })), suspended: bits(w, 160, 8) !== 0n };
    };
    const custody = batchMapBase("custody", batchId);
    const reg = batchMapBase("regFreeze", batchId);
    const sup = batchMapBase("supFreeze", batchId);
    const sales = batchMapBase("sales", batchId);
    // Slots every lookup reads for this index (most came in the first round): ask the rest together.
    const paths: bigint[] = [partyRefSlot(supplierId)];
    if (index < count) {
      const top = topLevel(count);
      paths.push(...pathSlots(custody, index, top), mappingSlot(index >> 8n, batchMapBase("redeemed", batchId)));
      if (flags & FLAG_REG_LAYER) paths.push(...pathSlots(reg, index, top));
      if (flags & FLAG_SUP_LAYER) paths.push(...pathSlots(sup, index, top));
      if (flags & FLAG_SOLD) paths.push(...pathSlots(sales, index, top));
    }
    for (const s of paths) read(s);
    const issuer = account(supplierId);
    const base = {
      ...empty,
      exists: true,
      supplier: issuer.address,
      issuerSuspended: issuer.suspended,
      count,
      expiresAt: bits(packed, 72, 40),
      restricted: (flags & FLAG_RESTRICTED) !== 0n,
      saleRequired: (flags & FLAG_SALE_REQUIRED) !== 0n,
    };
    if (index >= count) return { ...base, outOfRange: true };
    const [segmentStart, holderId] = pred(read, custody, index, bits(packed, 120, 24), (flags & FLAG_LEAF0) !== 0n);
    const segmentEnd = next(read, custody, index, count);
    const holder = account(holderId).address;
    const regulatorReason = flags & FLAG_REG_LAYER ? pred(read, reg, index, bits(packed, 144, 8), true)[1] : 0n;
    const supplierReason = flags & FLAG_SUP_LAYER ? pred(read, sup, index, bits(packed, 152, 8), true)[1] : 0n;
    const redeemedWord = read(mappingSlot(index >> 8n, batchMapBase("redeemed", batchId)));
    const saleValue = flags & FLAG_SOLD ? pred(read, sales, index, bits(packed, 160, 24), true)[1] : 0n;
    let sale: ProvenKeyStatus["sale"] = null;
    if (saleValue !== 0n) {
      const rec = read(saleRecordSlot(batchId, saleValue >> 1n));
      sale = {
        root: numberToHex(bits(rec, 0, 192), { size: 24 }),
        seller: account(bits(rec, 192, 24)).address,
        soldAt: bits(rec, 216, 40),
      };
    }
    return {
      ...base,
      outOfRange: false,
      holder,
      segmentStart,
      segmentEnd,
      regulatorReason: Number(regulatorReason),
      supplierReason: Number(supplierReason),
      redeemed: ((redeemedWord >> (index & 255n)) & 1n) === 1n,
      saleNo: Number(saleValue >> 1n),
      sold: saleValue !== 0n && (saleValue & 1n) === 0n,
      refunded: (saleValue & 1n) === 1n,
      sale,
      slots: fetched(),
      rounds,
    };
  }
}
