import type { Command } from "commander";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { findHint } from "../chain/findHint.js";
import { loadRedeemed } from "../chain/loadRedeemed.js";
import { loadSegmentStarts } from "../chain/loadSegmentStarts.js";
import { openLedger } from "../chain/openLedger.js";
import { readBatch } from "../chain/readBatch.js";
import { sendLedgerTx } from "../chain/sendLedgerTx.js";
import { CliError, CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { packRedeemWords } from "../parse/packRedeemWords.js";
import { parseBatchRef } from "../parse/parseBatchRef.js";
import { readIndexFile } from "../parse/readIndexFile.js";
import { createProgress } from "../progress/createProgress.js";
import type { GlobalOptions } from "../types.js";

type RedeemOptions = { batch: string; indices: string; skipRedeemed?: boolean; wordsPerTx: string };

/**
 * `keytrail redeem --batch … --indices FILE`: marks keys redeemed, packed into 256-key words.
 * Keys already redeemed are refused up front (listed); --skip-redeemed redeems only the rest,
 * which also makes an interrupted run safe to repeat.
 *
 * @param program - the root command.
 * @example
 * registerRedeemCommand(program);
 */
export function registerRedeemCommand(program: Command): void {
  const cmd = program
    .command("redeem")
    .description(
      "mark keys redeemed (supplier or its redeemer); a key cannot be redeemed twice (v2: nor an unsold key of a sale-required batch)",
    )
    .requiredOption("--batch <batch>", "batchId or batch folder")
    .requiredOption("--indices <file>", "file of indices or inclusive ranges, one per line")
    .option("--skip-redeemed", "skip keys already redeemed instead of refusing (safe re-runs)")
    .option("--words-per-tx <n>", "256-key words per transaction", "100")
    .action(async (o: RedeemOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const out = createOutput(g);
      const batchId = parseBatchRef(o.batch);
      const perTx = Number(o.wordsPerTx);
      if (!Number.isInteger(perTx) || perTx < 1 || perTx > 500)
        throw new CliUsageError(`--words-per-tx ${JSON.stringify(o.wordsPerTx)} is not valid: expected 1 to 500.`);
      let indices = readIndexFile(o.indices);
      const ctx = await openLedger(g, { signer: true });
      const batch = (await readBatch(ctx, batchId))!;
      const outside = indices.find((i) => i >= batch.count);
      if (outside !== undefined)
        throw new CliUsageError(
          `${o.indices}: index ${outside} is outside batch ${batchId} (indices 0-${batch.count - 1n}).`,
        );
      const redeemed = await loadRedeemed(ctx, batchId);
      const already = indices.filter((i) => ((redeemed.get(i >> 8n) ?? 0n) >> (i & 255n)) & 1n);
      if (already.length > 0) {
        const list = `${already.slice(0, 10).join(", ")}${already.length > 10 ? `, … (${already.length} in all)` : ""}`;
        if (!o.skipRedeemed) {
          throw new CliError(`Keys ${list} of batch ${batchId} were already redeemed; nothing was sent.`, {
            details:
              "A second redemption is refused on chain. Pass --skip-redeemed to redeem only the others (e.g. when repeating an interrupted run).",
          });
        }
        out.info(`skipping ${already.length} keys already redeemed: ${list}`);
        const skip = new Set(already);
        indices = indices.filter((i) => !skip.has(i));
        if (indices.length === 0) {
          out.result(`all listed keys of batch ${batchId} were already redeemed; nothing sent`);
          return;
        }
      }
      const starts = ctx.version === 2 ? [0n] : await loadSegmentStarts(ctx, batchId);
      const words = packRedeemWords(indices).map((w) => ({
        batchId,
        wordIndex: w.wordIndex,
        mask: w.mask,
        hint: findHint(starts, w.lowest),
      }));
      const bar = createProgress({ label: "redeeming", total: indices.length, unit: "keys", quiet: out.quiet });
      let done = 0;
      const txs: string[] = [];
      try {
        for (let i = 0; i < words.length; i += perTx) {
          const part = words.slice(i, i + perTx);
          const action = `redeem ${part.length} words of batch ${batchId}`;
          const one = part.length === 1 ? part[0]! : undefined;
          // v2: a lone full word takes redeemWord_b24 (the common case's cheaper entry), a lone partial
          // word `redeem`, several words `redeemMany`.
          const { hash } =
            ctx.version !== 2
              ? await sendLedgerTx(ctx, { functionName: "redeem", args: [part], action })
              : one && one.mask === FULL_WORD
                ? await sendLedgerTx(ctx, {
                    abi: keyLedgerV2Abi,
                    functionName: "redeemWord_b24",
                    args: [one.batchId, one.wordIndex],
                    action,
                  })
                : one
                  ? await sendLedgerTx(ctx, {
                      abi: keyLedgerV2Abi,
                      functionName: "redeem",
                      args: [one.batchId, one.wordIndex, one.mask],
                      action,
                    })
                  : await sendLedgerTx(ctx, {
                      abi: keyLedgerV2Abi,
                      functionName: "redeemMany",
                      args: [part.map(({ batchId: b, wordIndex, mask }) => ({ batchId: b, wordIndex, mask }))],
                      action,
                    });
          txs.push(hash);
          done += part.reduce((a, w) => a + popcount(w.mask), 0);
          bar.update(done);
        }
      } finally {
        bar.stop();
      }
      out.result(
        `redeemed ${indices.length} keys of batch ${batchId} in ${txs.length} transaction(s): ${txs.join(" ")}`,
      );
    });
  addExamples(cmd, "keytrail redeem --batch out/2026-11-A --indices redeemed-2026-11-21.txt --keystore redeemer.json");
}

/** All 256 keys of a word. */
const FULL_WORD = (1n << 256n) - 1n;

function popcount(x: bigint): number {
  let n = 0;
  while (x) {
    x &= x - 1n;
    n++;
  }
  return n;
}
