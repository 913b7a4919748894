import { index, onchainTable, primaryKey } from "ponder";

// The same facts the KeyTrail indexer keeps for the benchmark's history: parties, authorisations,
// batches, every custody transfer (with the authorised-at-the-time flag), holdings per
// (batch, holder), revocations and redemption words.
export const parties = onchainTable("parties", (t) => ({
  address: t.hex().primaryKey(),
  kind: t.integer().notNull(),
  profileHash: t.hex().notNull(),
  profileURI: t.text().notNull(),
  accreditedUntil: t.bigint().notNull(),
  suspended: t.boolean().notNull(),
}));

export const authorizations = onchainTable(
  "authorizations",
  (t) => ({ supplier: t.hex().notNull(), distributor: t.hex().notNull(), tier: t.integer().notNull(), expiresAt: t.bigint().notNull() }),
  (table) => ({ pk: primaryKey({ columns: [table.supplier, table.distributor] }) }),
);

export const batches = onchainTable("batches", (t) => ({
  batchId: t.hex().primaryKey(),
  supplier: t.hex().notNull(),
  label: t.text().notNull(),
  root: t.hex().notNull(),
  count: t.bigint().notNull(),
  restricted: t.boolean().notNull(),
  manifestURI: t.text().notNull(),
}));

export const transfers = onchainTable(
  "transfers",
  (t) => ({
    id: t.text().primaryKey(),
    batchId: t.hex().notNull(),
    from: t.hex().notNull(),
    to: t.hex().notNull(),
    start: t.bigint().notNull(),
    end: t.bigint().notNull(),
    memo: t.hex().notNull(),
    authorized: t.boolean().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    tx: t.hex().notNull(),
  }),
  (table) => ({ batchIdx: index().on(table.batchId, table.start), fromIdx: index().on(table.from), toIdx: index().on(table.to) }),
);

export const holdings = onchainTable(
  "holdings",
  (t) => ({ batchId: t.hex().notNull(), holder: t.hex().notNull(), keys: t.bigint().notNull() }),
  (table) => ({ pk: primaryKey({ columns: [table.batchId, table.holder] }) }),
);

export const revocations = onchainTable("revocations", (t) => ({
  id: t.text().primaryKey(),
  batchId: t.hex().notNull(),
  start: t.bigint().notNull(),
  end: t.bigint().notNull(),
  reason: t.integer().notNull(),
}));

export const redemptionWords = onchainTable(
  "redemption_words",
  (t) => ({ batchId: t.hex().notNull(), word: t.bigint().notNull(), mask: t.bigint().notNull() }),
  (table) => ({ pk: primaryKey({ columns: [table.batchId, table.word] }) }),
);
