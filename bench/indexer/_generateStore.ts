/**
 * Fills a store directly through the indexer's store layer (the same mirror and flush the sync
 * engine uses), without a chain: `batches` batches of `keysPerBatch` keys, `parties` parties and
 * `transfers` random valid custody transfers, plus some revocations and redemptions.
 */
import type { Address, Hex } from "viem";
import { createLedgerMirror } from "../../indexer/apply/createLedgerMirror.js";
import type { IndexedEvent } from "../../indexer/apply/createLedgerMirror.js";
import type { Store } from "../../indexer/store/types.js";
import type { DecodedLedgerLog } from "../../lib/events/types.js";
import { prng } from "../../scripts/util/prng.js";

export { prng };

const hex = (n: number, bytes: number) => `0x${n.toString(16).padStart(bytes * 2, "0")}` as Hex;

export type GeneratedStore = { batchIds: Hex[]; counts: number[]; parties: Address[]; events: number; seconds: number };

export async function generateStore(
  store: Store,
  options: { batches: number; keysPerBatch: number; parties: number; transfers: number; seed?: number },
): Promise<GeneratedStore> {
  const t0 = performance.now();
  const rand = prng(options.seed ?? 1);
  const mirror = createLedgerMirror();
  const parties: Address[] = Array.from({ length: options.parties }, (_, i) => hex(0x1000 + i, 20) as Address);
  const suppliers = parties.slice(0, Math.max(1, Math.floor(options.parties / 10)));
  let block = 1;
  let logIndex = 0;
  let pending: IndexedEvent[] = [];
  let total = 0;
  const emit = (decoded: DecodedLedgerLog) => {
    pending.push({
      decoded,
      block,
      logIndex: logIndex++,
      tx: hex(block * 100_000 + logIndex, 32),
      timestamp: 1_790_000_000 + block * 12,
    });
    if (logIndex >= 500) {
      block++;
      logIndex = 0;
    }
  };
  const flush = async () => {
    if (!pending.length) return;
    const evs = pending;
    pending = [];
    await mirror.prepare(store, evs);
    mirror.apply(evs);
    const last = evs[evs.length - 1]!;
    const meta = {
      number: last.block,
      hash: hex(last.block, 32),
      parentHash: hex(last.block - 1, 32),
      timestamp: last.timestamp,
    };
    await store.transaction((tx) => mirror.flush(tx, { blocks: [], cursor: meta }));
    total += evs.length;
    block++;
    logIndex = 0;
  };
  await store.query(
    "INSERT INTO kt_meta (key, value) VALUES ('chainId', '31337'), ('ledger', $1), ('startBlock', '1') ON CONFLICT (key) DO NOTHING",
    [hex(0xbe7c, 20)],
  );
  for (let i = 0; i < parties.length; i++) {
    emit({
      eventName: "PartyRegistered",
      args: {
        party: parties[i]!,
        id: i + 1,
        kind: i < suppliers.length ? 1 : i < options.parties * 0.7 ? 2 : 3,
        profileHash: hex(i, 32),
        profileURI: "",
        accreditedUntil: 0n,
        registrar: parties[0]!,
      },
    });
  }
  for (const s of suppliers) {
    for (let k = 0; k < 5; k++) {
      const d = parties[suppliers.length + Math.floor(rand() * (parties.length - suppliers.length))]!;
      emit({
        eventName: "DistributorAuthorized",
        args: { supplier: s, distributor: d, tier: 1, expiresAt: 0n, certificateHash: hex(k, 32) },
      });
    }
  }
  const batchIds: Hex[] = [];
  const segs: { start: number; end: number; holder: Address }[][] = [];
  for (let b = 0; b < options.batches; b++) {
    const id = hex(0xba7c0000 + b, 32);
    const supplier = suppliers[b % suppliers.length]!;
    batchIds.push(id);
    segs.push([{ start: 0, end: options.keysPerBatch, holder: supplier }]);
    emit({
      eventName: "BatchAnchored",
      args: {
        batchId: id,
        supplier,
        label: `bench-${b}`,
        root: hex(b + 1, 32),
        count: BigInt(options.keysPerBatch),
        productId: hex(6901234567892, 32),
        faceValue: 5000n,
        currency: "0x434e59",
        expiresAt: 0n,
        restricted: false,
        saleRequired: false,
        manifestHash: hex(b, 32),
        manifestURI: `https://cdn.example.org/bench-${b}/manifest.json`,
      },
    });
    if (pending.length >= 20_000) await flush();
  }
  await flush();
  for (let t = 0; t < options.transfers; t++) {
    const b = Math.floor(rand() * options.batches);
    const list = segs[b]!;
    const s = list[Math.floor(rand() * list.length)]!;
    const len = 1 + Math.floor(rand() * Math.min(s.end - s.start, 400));
    const start = s.start + Math.floor(rand() * (s.end - s.start - len + 1));
    let to = parties[Math.floor(rand() * parties.length)]!;
    if (to === s.holder) to = parties[(parties.indexOf(to) + 1) % parties.length]!;
    emit({
      eventName: "CustodyTransferred",
      args: {
        batchId: batchIds[b]!,
        from: s.holder,
        to,
        start: BigInt(start),
        end: BigInt(start + len),
        memo: hex(t, 32),
      },
    });
    const next: typeof list = [];
    for (const x of list) {
      if (x.end <= start || x.start >= start + len) next.push(x);
      else {
        if (x.start < start) next.push({ ...x, end: start });
        next.push({ start: Math.max(x.start, start), end: Math.min(x.end, start + len), holder: to });
        if (x.end > start + len) next.push({ ...x, start: start + len });
      }
    }
    segs[b] = next;
    if (t % 50 === 0) {
      emit({
        eventName: "KeysRedeemed",
        args: {
          batchId: batchIds[b]!,
          by: suppliers[b % suppliers.length]!,
          wordIndex: BigInt(Math.floor(start / 256)),
          mask: BigInt(1 + Math.floor(rand() * 2 ** 30)),
        },
      });
    }
    if (t % 97 === 0) {
      emit({
        eventName: "KeysRevoked",
        args: {
          batchId: batchIds[b]!,
          by: suppliers[b % suppliers.length]!,
          start: BigInt(start),
          end: BigInt(start + 1),
          reason: 1,
          byRegulator: false,
        },
      });
    }
    if (pending.length >= 20_000) await flush();
  }
  await flush();
  await store.exec("VACUUM ANALYZE");
  return {
    batchIds,
    counts: batchIds.map(() => options.keysPerBatch),
    parties,
    events: total,
    seconds: (performance.now() - t0) / 1000,
  };
}
