import type { Hex } from "viem";
import { decodeLedgerLog } from "./decodeLedgerLog.js";
import type { DecodedLedgerLog } from "./types.js";
import { decodeLedgerLog as decodeLedgerLogV1 } from "./v1/decodeLedgerLog.js";
import type { DecodedLedgerLog as DecodedLedgerLogV1 } from "./v1/types.js";

/** A stateful ledger log decoder (see {@link createLedgerLogDecoder}). */
export type LedgerLogDecoder = {
  /** Decodes one log, in chain order; null when it is no event of either ledger version. */
  decode(log: { topics: readonly Hex[]; data: Hex }): DecodedLedgerLog | null;
  /** 2 once a version 2 only event was seen, 1 once a version 1 only event was seen, null before. */
  readonly ledgerVersion: 1 | 2 | null;
};

/**
 * Maps a version 1 event into its version 2 shape, the way a version 1 ledger behaves under
 * version 2 rules: parties get ids in registration order, every freeze, reinstatement and
 * suspension is on the supplier layer (`byRegulator` false: version 1 had one layer, which any
 * regulator or the supplier lifted), batches are not sale-required.
 */
function upgrade(log: DecodedLedgerLogV1, nextId: () => number): DecodedLedgerLog {
  switch (log.eventName) {
    case "PartyRegistered":
      return { eventName: "PartyRegistered", args: { ...log.args, id: nextId() } };
    case "PartySuspended": {
      const { registrar, ...rest } = log.args;
      return { eventName: "PartySuspended", args: { ...rest, by: registrar, byRegulator: false } };
    }
    case "PartyReinstated":
      return { eventName: "PartyReinstated", args: { party: log.args.party, by: log.args.registrar } };
    case "BatchAnchored":
      return { eventName: "BatchAnchored", args: { ...log.args, saleRequired: false } };
    case "KeysRevoked":
      return { eventName: "KeysRevoked", args: { ...log.args, byRegulator: false } };
    case "KeysReinstated":
      return { eventName: "KeysReinstated", args: { ...log.args, byRegulator: false } };
    default:
      // Same signature and arguments in both versions.
      return log;
  }
}

/**
 * A decoder of ledger logs of either ledger version, in chain order: version 2 logs decode with
 * {@link decodeLedgerLog}; logs of the version 1 events whose signature changed (BatchAnchored,
 * KeysRevoked, KeysReinstated, PartyRegistered, PartySuspended) decode with the version 1 decoder
 * and are mapped into the version 2 shapes (ids in registration order, `byRegulator` false,
 * `saleRequired` false), so the version 2 reducer and the audit replay version 1 ledgers too.
 * Stateful (party ids): one decoder per ledger, fed every log from the deployment block on.
 *
 * @returns The decoder.
 * @example
 * const decoder = createLedgerLogDecoder();
 * const events = logs.map((l) => decoder.decode(l));
 */
export function createLedgerLogDecoder(): LedgerLogDecoder {
  let ids = 0;
  let version: 1 | 2 | null = null;
  const nextId = () => ++ids;
  return {
    get ledgerVersion() {
      return version;
    },
    decode(log) {
      const v2 = decodeLedgerLog(log);
      if (v2) {
        if (v2.eventName === "PartyRegistered") ids = Math.max(ids, v2.args.id);
        if (
          version === null &&
          (v2.eventName === "BatchAnchored" || v2.eventName === "PartyRegistered" || v2.eventName === "KeysSold")
        ) {
          version = 2;
        }
        return v2;
      }
      const v1 = decodeLedgerLogV1(log);
      if (!v1) return null;
      version ??= 1;
      return upgrade(v1, nextId);
    },
  };
}
