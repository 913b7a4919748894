import type { AuditRule } from "../../types.js";
import { evidenceOf, isExpired, lc } from "../internal/helpers.js";

/**
 * expired-authorisation-use: a transfer where the sender or the recipient (other than the batch's
 * supplier) holds an authorisation from the batch's supplier that had expired at the time — a
 * distributor still trading under a lapsed 授权书.
 */
export const expiredAuthorisationUse: AuditRule = {
  id: "expired-authorisation-use",
  title: "Authorisation used after expiry",
  severity: "medium",
  description:
    "The sender or recipient of a transfer holds an authorisation from the batch's supplier whose expiry had passed at the time of the transfer.",
  enforcedByContract: "partly",
  create() {
    return {
      check({ event, state }) {
        if (event.eventName !== "CustodyTransferred") return [];
        const batchId = lc(event.args.batchId);
        const b = state.batches.get(batchId);
        if (!b) return [];
        const supplier = b.record.supplier;
        const lapsed: { party: `0x${string}`; role: string; expiresAt: number }[] = [];
        for (const [p, role] of [
          [lc(event.args.from), "sender"],
          [lc(event.args.to), "recipient"],
        ] as const) {
          if (p === supplier) continue;
          const a = state.authorizations.get(`${supplier}:${p}`);
          if (a && isExpired(a.expiresAt, event.timestamp))
            lapsed.push({ party: p, role, expiresAt: Number(a.expiresAt) });
        }
        if (lapsed.length === 0) return [];
        return [
          {
            message: `Transfer of batch ${batchId} by ${lapsed.map((l) => `${l.role} ${l.party} (authorisation expired at ${l.expiresAt})`).join(" and ")}.`,
            batchId,
            supplier,
            parties: lapsed.map((l) => l.party),
            ranges: [{ start: Number(event.args.start), end: Number(event.args.end) }],
            evidence: [evidenceOf(event)],
            details: { roles: lapsed.map((l) => l.role) },
          },
        ];
      },
    };
  },
};
