import type { Command } from "commander";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { findHint } from "../chain/findHint.js";
import { loadSegmentStarts } from "../chain/loadSegmentStarts.js";
import { openLedger } from "../chain/openLedger.js";
import { readBatch } from "../chain/readBatch.js";
import { sendLedgerTx } from "../chain/sendLedgerTx.js";
import { CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { formatRange } from "../parse/formatRange.js";
import { memoHash } from "../parse/memoHash.js";
import { parseAddress } from "../parse/parseAddress.js";
import { parseBatchRef } from "../parse/parseBatchRef.js";
import { parseRange } from "../parse/parseRange.js";
import { runBulkTransfer } from "../transfer/runBulkTransfer.js";
import { runEngineTransfer } from "../transfer/runEngineTransfer.js";
import type { GlobalOptions } from "../types.js";

type TransferOptions = {
  batch?: string;
  range?: string;
  to?: string;
  memo?: string;
  file?: string;
  chunkSize: string;
  outbox: string;
};

/**
 * `keytrail transfer`: one range (`--batch --range --to`) or a bulk orders file (`--file`). On a
 * KeyLedger v2 a file runs on the gateway's engine (durable outbox, rows keyed by a stable order
 * reference, transferMany per window); on a v1 ledger, one transferMany per chunk with a journal
 * next to the file. Both resume when run again.
 *
 * @param program - the root command.
 * @example
 * registerTransferCommand(program);
 */
export function registerTransferCommand(program: Command): void {
  const cmd = program
    .command("transfer")
    .description("move custody of a key range to the next tier (one order), or run a bulk orders file")
    .option("--batch <batch>", "batchId or batch folder")
    .option("--range <first-last>", "inclusive index range, e.g. 0-9999")
    .option("--to <address>", "recipient (a registered, active party)")
    .option("--memo <text>", "order reference; its keccak256 goes on chain")
    .option("--file <orders.csv>", "bulk orders: columns batch,start,end,to[,memo] (end inclusive); resumable")
    .option("--chunk-size <n>", "ranges per transaction in bulk mode", "50")
    .option(
      "--outbox <dir>",
      "bulk mode on v2: PGlite folder of the outbox; DATABASE_URL selects PostgreSQL",
      ".keytrail/outbox",
    )
    .action(async (o: TransferOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const out = createOutput(g);
      if (o.file) {
        if (o.batch || o.range || o.to)
          throw new CliUsageError("Give either --file, or --batch, --range and --to; not both.");
        const size = Number(o.chunkSize);
        if (!Number.isInteger(size) || size < 1 || size > 500)
          throw new CliUsageError(`--chunk-size ${JSON.stringify(o.chunkSize)} is not valid: expected 1 to 500.`);
        const ctx = await openLedger(g, { signer: true });
        if (ctx.version === 2) {
          const r = await runEngineTransfer(ctx, {
            file: o.file,
            chunkSize: size,
            dataDir: o.outbox,
            databaseUrl: process.env.DATABASE_URL || undefined,
            out,
          });
          out.result(
            `transferred ${r.ranges} ranges (${r.keys} keys) in ${r.transactions} transactions: ${r.placed} rows placed now` +
              `${r.resumed ? `, ${r.resumed} placed by an earlier run` : ""}`,
          );
          return;
        }
        const r = await runBulkTransfer(ctx, {
          file: o.file,
          chunkSize: size,
          out,
          chunkSizeGiven: command.getOptionValueSource("chunkSize") === "cli",
        });
        out.result(
          `transferred ${r.ranges} ranges (${r.keys} keys) in ${r.chunks} transactions: ${r.sent} sent now` +
            `${r.settled ? `, ${r.settled} signed by the interrupted run and settled now` : ""}${r.resumed ? `, ${r.resumed} confirmed by an earlier run` : ""}`,
        );
        return;
      }
      if (!o.batch || !o.range || !o.to)
        throw new CliUsageError("transfer needs --batch, --range and --to (or --file for bulk orders).");
      const batchId = parseBatchRef(o.batch);
      const range = parseRange(o.range, "--range");
      const to = parseAddress(o.to, "--to");
      const ctx = await openLedger(g, { signer: true });
      await readBatch(ctx, batchId);
      const what = `range ${formatRange(range.start, range.end)} of batch ${batchId}`;
      const action = `transfer ${what} to ${to}`;
      const { hash, receipt } =
        ctx.version === 2
          ? await sendLedgerTx(ctx, {
              abi: keyLedgerV2Abi,
              functionName: "transfer",
              args: [batchId, range.start, range.end, to, memoHash(o.memo)],
              action,
            })
          : await sendLedgerTx(ctx, {
              functionName: "transfer",
              args: [
                batchId,
                range.start,
                range.end,
                to,
                findHint(await loadSegmentStarts(ctx, batchId), range.start),
                memoHash(o.memo),
              ],
              action,
            });
      out.result(
        `transferred ${what} (${range.end - range.start} keys) to ${to}: tx ${hash}, block ${receipt.blockNumber}`,
      );
    });
  addExamples(
    cmd,
    "keytrail transfer --batch out/2026-11-A --range 0-9999 --to 0x3C44…93BC --memo PO-2026-1182",
    "keytrail transfer --file orders.csv --chunk-size 100   # re-run the same line after an interruption to resume",
  );
}
