import { ponder } from "ponder:registry";
import { authorizations, batches, holdings, parties, redemptionWords, revocations, transfers } from "ponder:schema";

ponder.on("KeyLedger:PartyRegistered", async ({ event, context }) => {
  const a = event.args;
  await context.db
    .insert(parties)
    .values({ address: a.party, kind: Number(a.kind), profileHash: a.profileHash, profileURI: a.profileURI, accreditedUntil: a.accreditedUntil, suspended: false })
    .onConflictDoNothing();
});

ponder.on("KeyLedger:DistributorAuthorized", async ({ event, context }) => {
  const a = event.args;
  await context.db
    .insert(authorizations)
    .values({ supplier: a.supplier, distributor: a.distributor, tier: Number(a.tier), expiresAt: a.expiresAt })
    .onConflictDoUpdate({ tier: Number(a.tier), expiresAt: a.expiresAt });
});

ponder.on("KeyLedger:BatchAnchored", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(batches).values({ batchId: a.batchId, supplier: a.supplier, label: a.label, root: a.root, count: a.count, restricted: a.restricted, manifestURI: a.manifestURI });
  await context.db.insert(holdings).values({ batchId: a.batchId, holder: a.supplier, keys: a.count });
});

ponder.on("KeyLedger:CustodyTransferred", async ({ event, context }) => {
  const a = event.args;
  const batch = await context.db.find(batches, { batchId: a.batchId });
  let authorized = batch?.supplier === a.to;
  if (!authorized && batch) {
    const auth = await context.db.find(authorizations, { supplier: batch.supplier, distributor: a.to });
    authorized = !!auth && auth.tier > 0 && (auth.expiresAt === 0n || event.block.timestamp <= auth.expiresAt);
  }
  const n = a.end - a.start;
  await context.db.insert(transfers).values({
    id: event.id,
    batchId: a.batchId,
    from: a.from,
    to: a.to,
    start: a.start,
    end: a.end,
    memo: a.memo,
    authorized,
    block: event.block.number,
    timestamp: event.block.timestamp,
    tx: event.transaction.hash,
  });
  await context.db.update(holdings, { batchId: a.batchId, holder: a.from }).set((row) => ({ keys: row.keys - n }));
  await context.db
    .insert(holdings)
    .values({ batchId: a.batchId, holder: a.to, keys: n })
    .onConflictDoUpdate((row) => ({ keys: row.keys + n }));
});

ponder.on("KeyLedger:KeysRevoked", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(revocations).values({ id: event.id, batchId: a.batchId, start: a.start, end: a.end, reason: Number(a.reason) });
});

ponder.on("KeyLedger:KeysRedeemed", async ({ event, context }) => {
  const a = event.args;
  await context.db
    .insert(redemptionWords)
    .values({ batchId: a.batchId, word: a.wordIndex, mask: a.mask })
    .onConflictDoUpdate((row) => ({ mask: row.mask | a.mask }));
});
