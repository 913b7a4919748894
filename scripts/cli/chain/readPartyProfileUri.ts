import { pad, type Address } from "viem";
import { getLedgerLogs } from "./getLedgerLogs.js";
import { getLedgerV2Logs } from "./getLedgerV2Logs.js";
import type { LedgerContext } from "./openLedger.js";

/**
 * A party's current profile URI: the ledger keeps only its hash in storage, so the URI is read
 * from the party's latest `PartyRegistered` or `PartyUpdated` log (each carries the whole URI). On
 * a v2 ledger a re-keyed party's earlier accounts are followed back through `PartyRekeyed`.
 *
 * @param ctx - an opened ledger (logs are read from its deployment block).
 * @param party - the party's address.
 * @returns the profile URI ("" when registered without one), or undefined when no log names the party.
 * @example
 * const uri = await readPartyProfileUri(ctx, "0x3C44…93BC"); // then readProfileName(uri)
 */
export async function readPartyProfileUri(
  ctx: Pick<LedgerContext, "publicClient" | "ledger" | "deployBlock"> & Partial<Pick<LedgerContext, "version">>,
  party: Address,
): Promise<string | undefined> {
  if (ctx.version !== 2) {
    const logs = await getLedgerLogs(ctx.publicClient, {
      address: ctx.ledger,
      events: ["PartyRegistered", "PartyUpdated"],
      topic1: pad(party),
      fromBlock: ctx.deployBlock,
    });
    return logs.at(-1)?.args.profileURI;
  }
  const base = { address: ctx.ledger, fromBlock: ctx.deployBlock };
  let account = party;
  for (let hops = 0; hops < 16; hops++) {
    const [registered, updated] = await Promise.all([
      getLedgerV2Logs(ctx.publicClient, { ...base, event: "PartyRegistered", args: { party: account } }),
      getLedgerV2Logs(ctx.publicClient, { ...base, event: "PartyUpdated", args: { party: account } }),
    ]);
    const latest = [...registered, ...updated].sort((a, b) =>
      a.blockNumber !== b.blockNumber ? (a.blockNumber < b.blockNumber ? -1 : 1) : a.logIndex - b.logIndex,
    );
    if (latest.length > 0) return latest.at(-1)!.args.profileURI;
    const [rekey] = await getLedgerV2Logs(ctx.publicClient, {
      ...base,
      event: "PartyRekeyed",
      args: { newAccount: account },
    });
    if (!rekey) return undefined;
    account = rekey.args.oldAccount;
  }
  return undefined;
}
