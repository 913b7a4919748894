import type { Command } from "commander";
import { parseEventLogs, type Hex } from "viem";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { REVOCATION_REASONS } from "../../../lib/verify/revocationReasons.js";
import { findHint } from "../chain/findHint.js";
import { loadSegmentStarts } from "../chain/loadSegmentStarts.js";
import { openLedger } from "../chain/openLedger.js";
import { readBatch } from "../chain/readBatch.js";
import { sendLedgerTx } from "../chain/sendLedgerTx.js";
import { CliUsageError, LedgerRefusedError } from "../errors.js";
import type { LedgerContext } from "../chain/openLedger.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { formatRange } from "../parse/formatRange.js";
import { parseBatchRef } from "../parse/parseBatchRef.js";
import { parseRange } from "../parse/parseRange.js";
import { parseReason } from "../parse/parseReason.js";
import { reasonName } from "../parse/reasonName.js";
import type { GlobalOptions } from "../types.js";

type RevokeOptions = { batch: string; range: string; reason?: string };

/**
 * `keytrail revoke` (freeze a range with a reason) and `keytrail reinstate` (unfreeze); batch
 * supplier or a regulator. History stays on chain.
 *
 * @param program - the root command.
 * @example
 * registerRevokeCommands(program);
 */
export function registerRevokeCommands(program: Command): void {
  const revoke = program
    .command("revoke")
    .description("freeze a range of keys (stolen, chargeback …): frozen keys cannot move or be redeemed")
    .requiredOption("--batch <batch>", "batchId or batch folder")
    .requiredOption("--range <first-last>", "inclusive index range, e.g. 0-9999")
    .requiredOption("--reason <reason>", REVOCATION_REASONS.slice(1, 6).join(" | "))
    .action(async (o: RevokeOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const batchId = parseBatchRef(o.batch);
      const range = parseRange(o.range, "--range");
      const reason = parseReason(o.reason ?? "");
      const ctx = await openLedger(g, { signer: true });
      await readBatch(ctx, batchId);
      const what = `range ${formatRange(range.start, range.end)} of batch ${batchId}`;
      if (ctx.version === 2) {
        const { hash, receipt } = await sendLedgerTx(ctx, {
          abi: keyLedgerV2Abi,
          functionName: "revoke",
          args: [batchId, range.start, range.end, reason],
          action: `revoke ${what}`,
        });
        const [log] = parseEventLogs({ abi: keyLedgerV2Abi, eventName: "KeysRevoked", logs: receipt.logs });
        const layer = log?.args.byRegulator ? "regulator" : "supplier";
        createOutput(g).result(
          `revoked ${what} (${range.end - range.start} keys, reason ${reasonName(reason)}) on the ${layer} layer` +
            `${layer === "regulator" ? " (only a regulator can lift it)" : ""} tx ${hash}`,
        );
        return;
      }
      const hint = findHint(await loadSegmentStarts(ctx, batchId), range.start);
      const { hash } = await sendLedgerTx(ctx, {
        functionName: "revoke",
        args: [batchId, range.start, range.end, reason, hint],
        action: `revoke ${what}`,
      });
      createOutput(g).result(
        `revoked ${what} (${range.end - range.start} keys, reason ${reasonName(reason)}) tx ${hash}`,
      );
    });
  addExamples(revoke, "keytrail revoke --batch 0x5c1e…9a0f --range 1000-1999 --reason stolen --keystore supplier.json");

  const reinstate = program
    .command("reinstate")
    .description("unfreeze a revoked range (the revocation stays in the history)")
    .requiredOption("--batch <batch>", "batchId or batch folder")
    .requiredOption("--range <first-last>", "inclusive index range")
    .action(async (o: RevokeOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      if (o.reason) throw new CliUsageError("reinstate takes no --reason.");
      const batchId = parseBatchRef(o.batch);
      const range = parseRange(o.range, "--range");
      const ctx = await openLedger(g, { signer: true });
      await readBatch(ctx, batchId);
      const what = `range ${formatRange(range.start, range.end)} of batch ${batchId}`;
      if (ctx.version === 2) {
        const { hash, receipt } = await sendLedgerTx(ctx, {
          abi: keyLedgerV2Abi,
          functionName: "reinstate",
          args: [batchId, range.start, range.end],
          action: `reinstate ${what}`,
        }).catch(async (e: unknown) => {
          throw await explainNotFrozen(ctx, e, batchId, range.start, range.end, what);
        });
        const [log] = parseEventLogs({ abi: keyLedgerV2Abi, eventName: "KeysReinstated", logs: receipt.logs });
        const layers = log?.args.byRegulator
          ? "both layers (a regulator's reinstatement lifts the regulator's and the supplier's freezes)"
          : "the supplier layer (a regulator's freeze, if any, stays)";
        createOutput(g).result(`reinstated ${what} (${range.end - range.start} keys) on ${layers} tx ${hash}`);
        return;
      }
      const hint = findHint(await loadSegmentStarts(ctx, batchId), range.start);
      const { hash } = await sendLedgerTx(ctx, {
        functionName: "reinstate",
        args: [batchId, range.start, range.end, hint],
        action: `reinstate ${what}`,
      });
      createOutput(g).result(`reinstated ${what} (${range.end - range.start} keys) tx ${hash}`);
    });
  addExamples(reinstate, "keytrail reinstate --batch 0x5c1e…9a0f --range 1000-1999 --keystore supplier.json");
}

/**
 * A v2 reinstatement refused with KeyLedgerNotFrozen: when a regulator's freeze covers the range
 * and the sender is no regulator, says so (only a regulator lifts it); other errors pass through.
 */
async function explainNotFrozen(
  ctx: LedgerContext,
  error: unknown,
  batchId: Hex,
  start: bigint,
  end: bigint,
  what: string,
): Promise<unknown> {
  if (!(error instanceof LedgerRefusedError) || error.errorName !== "KeyLedgerNotFrozen") return error;
  for (let i = start, n = 0; i < end && n < 64; n++) {
    const s = await ctx.publicClient.readContract({
      address: ctx.ledger,
      abi: keyLedgerV2Abi,
      functionName: "keyStatus",
      args: [batchId, i],
    });
    if (s.frozenByRegulator)
      return new LedgerRefusedError(
        `Could not reinstate ${what}: keys from ${i} are frozen by a regulator (reason ${reasonName(s.frozenReason)}); ` +
          `only a regulator can lift that freeze, and ${ctx.account?.address ?? "the sender"} is not one.`,
        "KeyLedgerNotFrozen",
        { cause: error },
      );
    i = s.segmentEnd > i ? s.segmentEnd : i + 1n;
  }
  return error;
}
