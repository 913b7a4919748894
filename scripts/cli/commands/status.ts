import type { Command } from "commander";
import { detectLedgerVersion } from "../../../lib/verify/detectLedgerVersion.js";
import { readKeyStatus } from "../../../lib/verify/readKeyStatus.js";
import { decodeLedgerError } from "../chain/decodeLedgerError.js";
import { findHint } from "../chain/findHint.js";
import { loadSegmentStarts } from "../chain/loadSegmentStarts.js";
import { openLedger } from "../chain/openLedger.js";
import { readBatch } from "../chain/readBatch.js";
import { CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { formatRange } from "../parse/formatRange.js";
import { parseBatchRef } from "../parse/parseBatchRef.js";
import type { GlobalOptions } from "../types.js";

type StatusOptions = { batch: string; index: string; json?: boolean };

/**
 * `keytrail status --batch … --index …`: one key's on-chain status (holder, segment, frozen
 * reason, redeemed) in one keyStatus call, read with lib/verify/readKeyStatus like the portal. On a
 * v2 ledger also: which layer froze it (regulator or supplier), whether the issuer is suspended,
 * whether the batch requires a sale, and the key's sale (number, live or refunded).
 *
 * @param program - the root command.
 * @example
 * registerStatusCommand(program);
 */
export function registerStatusCommand(program: Command): void {
  const cmd = program
    .command("status")
    .description("show one key's on-chain status: holder, revocation, redemption, sale (v2 ledgers)")
    .requiredOption("--batch <batch>", "batchId or batch folder")
    .requiredOption("--index <n>", "key index")
    .option("--json", "print JSON")
    .action(async (o: StatusOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const batchId = parseBatchRef(o.batch);
      if (!/^\d+$/.test(o.index))
        throw new CliUsageError(`--index ${JSON.stringify(o.index)} is not a key index: expected a whole number.`);
      const index = BigInt(o.index);
      const ctx = await openLedger(g, { signer: false });
      const batch = (await readBatch(ctx, batchId))!;
      if (index >= batch.count)
        throw new CliUsageError(`--index ${index} is outside batch ${batchId} (indices 0-${batch.count - 1n}).`);
      let s;
      try {
        const client = ctx.publicClient as never;
        const ledgerVersion = await detectLedgerVersion(client, { ledger: ctx.ledger });
        // v2 reads keyStatus without a hint; v1 takes the segment hint from the transfer logs.
        const hint = ledgerVersion === 1 ? findHint(await loadSegmentStarts(ctx, batchId), index) : undefined;
        // The same read the portal's verification uses.
        s = await readKeyStatus(client, { ledger: ctx.ledger, batchId, index, hint, ledgerVersion });
      } catch (e) {
        throw await decodeLedgerError(e, {
          rpcUrl: ctx.rpcUrl,
          chainId: ctx.chainId,
          action: `read key ${index} of batch ${batchId}`,
        });
      }
      const info = {
        chainId: ctx.chainId,
        ledger: ctx.ledger,
        batchId,
        index: Number(index),
        supplier: s.supplier,
        holder: s.holder,
        segment: { start: s.segmentStart, end: s.segmentEnd },
        revoked: s.frozenReason !== "none",
        reason: s.frozenReason !== "none" ? s.frozenReason : null,
        redeemed: s.redeemed,
        restricted: s.restricted,
        expiresAt: s.expiresAt === 0 ? null : new Date(Number(s.expiresAt) * 1000).toISOString(),
        root: s.root,
        ...(s.ledgerVersion === 2
          ? {
              ledgerVersion: 2,
              frozenByRegulator: s.frozenByRegulator ?? false,
              supplierReason: s.supplierReason !== undefined && s.supplierReason !== "none" ? s.supplierReason : null,
              issuerSuspended: s.issuerSuspended ?? false,
              saleRequired: s.saleRequired ?? false,
              sale: s.saleNo ? { saleNo: s.saleNo, live: s.sold ?? false, refunded: s.refunded ?? false } : null,
            }
          : {}),
      };
      const v2: string[] = [];
      if (s.ledgerVersion === 2) {
        if (info.revoked) v2.push(s.frozenByRegulator ? "frozen by a regulator" : "frozen by the supplier");
        if (s.issuerSuspended) v2.push("issuer SUSPENDED");
        if (s.saleNo) v2.push(`sale ${s.saleNo} ${s.sold ? "live (SOLD)" : s.refunded ? "REFUNDED" : ""}`.trim());
        else v2.push("not sold");
        if (s.saleRequired) v2.push("sale required before redemption");
      }
      const out = createOutput(g);
      if (o.json) out.json(info);
      else
        out.result(
          `key ${index} of batch ${batchId}: holder ${s.holder} (segment ${formatRange(s.segmentStart, s.segmentEnd)})` +
            `${info.revoked ? `, REVOKED (${info.reason})` : ""}${s.redeemed ? ", REDEEMED" : ""}${!info.revoked && !s.redeemed ? ", active" : ""}; supplier ${s.supplier}` +
            (v2.length > 0 ? `; ${v2.join(", ")}` : ""),
        );
    });
  addExamples(cmd, "keytrail status --batch out/2026-11-A --index 4711 --json");
}
