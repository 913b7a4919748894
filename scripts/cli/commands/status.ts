import type { Command } from "commander";
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
 * reason, redeemed) in one keyStatus call, read with lib/verify/readKeyStatus like the portal.
 *
 * @param program - the root command.
 * @example
 * registerStatusCommand(program);
 */
export function registerStatusCommand(program: Command): void {
  const cmd = program
    .command("status")
    .description("show one key's on-chain status: holder, revocation, redemption")
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
      const hint = findHint(await loadSegmentStarts(ctx, batchId), index);
      let s;
      try {
        // The same read the portal's verification uses.
        s = await readKeyStatus(ctx.publicClient as never, { ledger: ctx.ledger, batchId, index, hint });
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
      };
      const out = createOutput(g);
      if (o.json) out.json(info);
      else
        out.result(
          `key ${index} of batch ${batchId}: holder ${s.holder} (segment ${formatRange(s.segmentStart, s.segmentEnd)})` +
            `${info.revoked ? `, REVOKED (${info.reason})` : ""}${s.redeemed ? ", REDEEMED" : ""}${!info.revoked && !s.redeemed ? ", active" : ""}; supplier ${s.supplier}`,
        );
    });
  addExamples(cmd, "keytrail status --batch out/2026-11-A --index 4711 --json");
}
