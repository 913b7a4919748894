/**
 * Party kinds as words, indexed by the ledger's `IKeyLedger.PartyKind` code (0 = none). The one
 * table the CLI, the indexer's export and the audit's API reader use.
 */
export const PARTY_KIND_NAMES = ["none", "supplier", "distributor", "retailer"] as const;

/** A registered party's kind as a word. */
export type PartyKindName = Exclude<(typeof PARTY_KIND_NAMES)[number], "none">;
