import { encodeFunctionData, keccak256, type Address, type Hex } from "viem";
import { ledgerErrorContext } from "../chain/ledgerErrorContext.js";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { decodeLedgerError } from "../chain/decodeLedgerError.js";
import { findHint } from "../chain/findHint.js";
import { loadSegmentStarts } from "../chain/loadSegmentStarts.js";
import type { LedgerContext } from "../chain/openLedger.js";
import { CliError, LedgerRefusedError } from "../errors.js";
import { acquireLock } from "../io/acquireLock.js";
import { checkOrderRows } from "./checkOrderRows.js";
import type { Output } from "../io/createOutput.js";
import { createProgress } from "../progress/createProgress.js";
import { openJournal } from "./openJournal.js";
import { planChunks, type Chunk } from "./planChunks.js";
import { readOrders } from "./readOrders.js";
import { sendJournaledChunk } from "./sendJournaledChunk.js";

/** Parameters of {@link runBulkTransfer}. */
export type RunBulkTransferParameters = {
  file: string;
  chunkSize: number;
  out: Output;
  /** Whether --chunk-size was given (else a journal's size is used silently). */ chunkSizeGiven?: boolean;
};

/** What a bulk run did. */
export type RunBulkTransferReturnType = {
  chunks: number;
  sent: number;
  settled: number;
  resumed: number;
  ranges: number;
  keys: bigint;
};

/**
 * Executes a bulk orders file on a KeyLedger v1 (a v2 ledger runs files on the gateway's engine:
 * runEngineTransfer): one transferMany transaction per chunk of ranges, with a journal
 * next to the file (`<file>.journal`). Each transaction is signed locally and journaled before it
 * is broadcast, and journaled again when confirmed; a re-run after Ctrl-C or kill skips confirmed
 * chunks, settles the one in flight (receipt, mempool, or re-broadcast of the same signed bytes,
 * which cannot apply twice because the nonce is fixed) and continues. Hints come from chain logs.
 *
 * @param ctx - an opened ledger with a signer.
 * @param parameters - see {@link RunBulkTransferParameters}.
 * @returns counts of what was done.
 * @example
 * await runBulkTransfer(ctx, { file: "orders.csv", chunkSize: 50, out });
 */
export async function runBulkTransfer(
  ctx: LedgerContext,
  parameters: RunBulkTransferParameters,
): Promise<RunBulkTransferReturnType> {
  const { file, out } = parameters;
  const account = ctx.account!;
  const pc = ctx.publicClient;
  const { rows, bytes } = readOrders(file);
  const ordersHash = keccak256(bytes);
  const errCtx = ledgerErrorContext(ctx);

  await checkOrderRows(ctx, file, rows);

  const starts = new Map<Hex, bigint[]>();
  const hintFor = async (batchId: Hex, index: bigint) => {
    let s = starts.get(batchId);
    if (!s) {
      s = await loadSegmentStarts(ctx, batchId);
      starts.set(batchId, s);
    }
    return findHint(s, index);
  };
  const release = acquireLock(`${file}.lock`, file);
  const journal = openJournal(`${file}.journal`);
  try {
    let chunkSize = parameters.chunkSize;
    if (journal.header) {
      const h = journal.header;
      if (h.ordersHash !== ordersHash) {
        throw new CliError(
          `${file} changed since its journal ${journal.path} was started; resuming could send the wrong ranges.`,
          {
            details: "Restore the original file to resume, or move the journal away to treat the file as a new run.",
          },
        );
      }
      if (
        h.chainId !== ctx.chainId ||
        h.ledger.toLowerCase() !== ctx.ledger.toLowerCase() ||
        h.from.toLowerCase() !== account.address.toLowerCase()
      ) {
        throw new CliError(
          `Journal ${journal.path} belongs to a run from ${h.from} on chain id ${h.chainId}, ledger ${h.ledger}; this run is ${account.address} on chain id ${ctx.chainId}, ledger ${ctx.ledger}.`,
        );
      }
      if (h.chunkSize !== chunkSize && parameters.chunkSizeGiven)
        out.info(`resuming with the journal's chunk size ${h.chunkSize} (not ${chunkSize})`);
      chunkSize = h.chunkSize;
    }
    const chunks = planChunks(rows, chunkSize);
    if (!journal.header) {
      journal.append({
        kind: "keytrail-transfer-journal",
        version: 1,
        ordersHash,
        chunkSize,
        chainId: ctx.chainId,
        ledger: ctx.ledger,
        from: account.address,
        chunks: chunks.length,
      });
    }
    const confirmedBefore = chunks.filter((c) => journal.last.get(c.index)?.state === "confirmed").length;
    if (confirmedBefore > 0)
      out.info(
        `resuming ${file}: ${confirmedBefore} of ${chunks.length} chunks already confirmed (journal ${journal.path})`,
      );

    const noteStarts = (chunk: Chunk) => {
      for (const r of chunk.rows) {
        const s = starts.get(r.batchId);
        if (s) {
          s.push(r.start, r.end);
          s.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        }
      }
    };

    const totalRanges = rows.length;
    const bar = createProgress({ label: "transferring", total: totalRanges, unit: "ranges", quiet: out.quiet });
    let done = chunks
      .filter((c) => journal.last.get(c.index)?.state === "confirmed")
      .reduce((a, c) => a + c.rows.length, 0);
    bar.update(done);
    let sent = 0;
    let settled = 0;
    try {
      for (const chunk of chunks) {
        if (journal.last.get(chunk.index)?.state === "confirmed") continue;
        const items: { batchId: Hex; start: bigint; end: bigint; to: Address; hint: bigint }[] = [];
        for (const r of chunk.rows)
          items.push({
            batchId: r.batchId,
            start: r.start,
            end: r.end,
            to: r.to,
            hint: await hintFor(r.batchId, r.start),
          });
        const memo = chunk.memo;
        const label = `chunk ${chunk.index + 1}/${chunks.length}`;
        const r = await sendJournaledChunk(ctx, {
          journal,
          chunk: chunk.index,
          label,
          action: `transferMany of ${label} of ${file}`,
          where: `${file} lines ${chunk.rows[0]!.line}-${chunk.rows.at(-1)!.line}`,
          afterwards: `re-run the same command to resume: journal ${file}.journal holds the signed transaction, which cannot apply twice.`,
          out,
          errCtx,
          data: encodeFunctionData({ abi: keyLedgerAbi, functionName: "transferMany", args: [items, memo] }),
          simulate: async () => {
            try {
              await pc.simulateContract({
                account,
                address: ctx.ledger,
                abi: keyLedgerAbi,
                functionName: "transferMany",
                args: [items, memo],
              });
            } catch (e) {
              throw await explainChunkFailure(chunk, e);
            }
          },
        });
        const receipt = r.receipt;
        if (r.sent) sent++;
        if (r.settled) settled++;
        noteStarts(chunk);
        done += chunk.rows.length;
        bar.update(done);
        out.info(
          `chunk ${chunk.index + 1}/${chunks.length} confirmed: ${chunk.rows.length} ranges, tx ${receipt.transactionHash}, block ${receipt.blockNumber}`,
        );
      }
    } finally {
      bar.stop();
    }
    const keys = rows.reduce((a, r) => a + (r.end - r.start), 0n);
    return { chunks: chunks.length, sent, settled, resumed: confirmedBefore, ranges: rows.length, keys };
  } finally {
    journal.close();
    release();
  }

  /** Finds which row of a refused chunk is at fault and names its line. */
  async function explainChunkFailure(chunk: Chunk, error: unknown): Promise<Error> {
    const decoded = await decodeLedgerError(error, errCtx);
    if (!(decoded instanceof LedgerRefusedError)) return decoded;
    for (const r of chunk.rows) {
      try {
        await pc.simulateContract({
          account,
          address: ctx.ledger,
          abi: keyLedgerAbi,
          functionName: "transfer",
          args: [r.batchId, r.start, r.end, r.to, await hintFor(r.batchId, r.start), chunk.memo],
        });
      } catch (e) {
        const d = await decodeLedgerError(e, errCtx);
        return new LedgerRefusedError(
          `${file} line ${r.line}: ${d.shortMessage} Nothing of chunk ${chunk.index + 1} was sent.`,
          (d as LedgerRefusedError).errorName,
          { cause: e },
        );
      }
    }
    return new LedgerRefusedError(`${file} chunk ${chunk.index + 1}: ${decoded.shortMessage}`, decoded.errorName, {
      cause: error,
    });
  }
}
