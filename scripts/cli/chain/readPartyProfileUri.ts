import { pad, type Address } from "viem";
import { getLedgerLogs } from "./getLedgerLogs.js";
import type { LedgerContext } from "./openLedger.js";

/**
 * A party's current profile URI: the ledger keeps only its hash in storage, so the URI is read
 * from the party's latest `PartyRegistered` or `PartyUpdated` log (each carries the whole URI).
 *
 * @param ctx - an opened ledger (logs are read from its deployment block).
 * @param party - the party's address.
 * @returns the profile URI ("" when registered without one), or undefined when no log names the party.
 * @example
 * const uri = await readPartyProfileUri(ctx, "0x3C44…93BC"); // then readProfileName(uri)
 */
export async function readPartyProfileUri(
  ctx: Pick<LedgerContext, "publicClient" | "ledger" | "deployBlock">,
  party: Address,
): Promise<string | undefined> {
  const logs = await getLedgerLogs(ctx.publicClient, {
    address: ctx.ledger,
    events: ["PartyRegistered", "PartyUpdated"],
    topic1: pad(party),
    fromBlock: ctx.deployBlock,
  });
  return logs.at(-1)?.args.profileURI;
}
