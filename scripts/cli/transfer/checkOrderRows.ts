import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import type { LedgerContext } from "../chain/openLedger.js";
import { readBatch } from "../chain/readBatch.js";
import { CliError } from "../errors.js";
import type { OrderRow } from "./readOrders.js";

/**
 * Checks a bulk orders file against the chain before anything is sent: every batch exists and every
 * recipient is a registered party, not suspended and accredited. A refusal names the file and the
 * first line that uses the batch or recipient.
 *
 * @param ctx - an opened ledger.
 * @param file - the orders file (for messages).
 * @param rows - its rows (readOrders).
 * @example
 * await checkOrderRows(ctx, "orders.csv", rows);
 */
export async function checkOrderRows(ctx: LedgerContext, file: string, rows: readonly OrderRow[]): Promise<void> {
  const pc = ctx.publicClient;
  const firstLine = new Map<string, number>();
  for (const r of rows) for (const k of [r.batchId, r.to]) if (!firstLine.has(k)) firstLine.set(k, r.line);
  for (const batchId of new Set(rows.map((r) => r.batchId))) {
    try {
      await readBatch(ctx, batchId);
    } catch (e) {
      throw new CliError(`${file} line ${firstLine.get(batchId)}: ${(e as CliError).shortMessage}`, { cause: e });
    }
  }
  for (const to of new Set(rows.map((r) => r.to))) {
    const [kind, suspended] =
      ctx.version === 2
        ? await pc
            .readContract({ address: ctx.ledger, abi: keyLedgerV2Abi, functionName: "partyOf", args: [to] })
            .then(([k, , s]) => [k, s] as const)
        : await pc.readContract({ address: ctx.ledger, abi: keyLedgerAbi, functionName: "partyOf", args: [to] });
    const active = await pc.readContract({
      address: ctx.ledger,
      abi: keyLedgerAbi,
      functionName: "isActive",
      args: [to],
    });
    if (kind === 0)
      throw new CliError(
        `${file} line ${firstLine.get(to)}: recipient ${to} is not a registered party; nothing was sent.`,
      );
    if (suspended)
      throw new CliError(`${file} line ${firstLine.get(to)}: recipient ${to} is suspended; nothing was sent.`);
    if (!active)
      throw new CliError(
        `${file} line ${firstLine.get(to)}: recipient ${to}'s accreditation has expired; nothing was sent.`,
      );
  }
}
