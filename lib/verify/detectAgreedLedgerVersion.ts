import type { Address, PublicClient } from "viem";
import { detectLedgerVersion, type LedgerVersion } from "./detectLedgerVersion.js";
import { TrustError } from "./readProvenStatus.js";

/**
 * The version of the ledger at `ledger` as every configured RPC reports it ({@link detectLedgerVersion}
 * on each), so that no single RPC picks the layout a key is read with: a liar calling a v1 ledger v2
 * would have its keys proven against v2's storage slots, empty there, and a genuine key called "not in
 * batch". RPCs that give different versions throw {@link TrustError} ("RPCs disagree … cannot
 * confirm"); an RPC that fails (unreachable, an unexpected error) is not counted, as in the block
 * agreement, so one honest answer stands; when none answers, the first failure is thrown.
 *
 * @param clients - one public client per configured RPC, with its URL (for messages).
 * @param parameters.ledger - the ledger address.
 * @returns 1 or 2.
 * @throws TrustError when the RPCs disagree; the first RPC's error when none answered.
 * @example
 * const version = await detectAgreedLedgerVersion(urls.map((url) => ({ url, client: clientOf(url) })), { ledger });
 */
export async function detectAgreedLedgerVersion(
  clients: readonly { url: string; client: PublicClient }[],
  parameters: { ledger: Address },
): Promise<LedgerVersion> {
  const answers = await Promise.all(
    clients.map(async ({ url, client }) => {
      try {
        return { url, version: await detectLedgerVersion(client, parameters) };
      } catch (error) {
        return { url, error };
      }
    }),
  );
  const counted = answers.filter((a): a is { url: string; version: LedgerVersion } => "version" in a);
  const [first] = counted;
  if (!first) throw (answers[0] as { error: unknown } | undefined)?.error ?? new Error("No RPC is configured.");
  if (counted.some((a) => a.version !== first.version)) {
    throw new TrustError(
      `RPCs disagree on the version of ledger ${parameters.ledger}: ` +
        `${counted.map((a) => `${a.url} says v${a.version}`).join(", ")} — cannot confirm.`,
    );
  }
  return first.version;
}
