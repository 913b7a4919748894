import { createHash } from "node:crypto";
import { ledgerErrorContext } from "../chain/ledgerErrorContext.js";
import type { Hex } from "viem";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { decodeLedgerError } from "../chain/decodeLedgerError.js";
import type { LedgerContext } from "../chain/openLedger.js";
import { CliError, LedgerRefusedError } from "../errors.js";
import type { Output } from "../io/createOutput.js";
import { formatRange } from "../parse/formatRange.js";
import { runEngineOrders, type EngineOrder } from "../orders/runEngineOrders.js";
import { checkOrderRows } from "./checkOrderRows.js";
import { readOrders, type OrderRow } from "./readOrders.js";

/** Parameters of {@link runEngineTransfer}. */
export type RunEngineTransferParameters = {
  file: string;
  /** Most rows (orders) per transferMany. */
  chunkSize: number;
  /** PGlite folder of the outbox (ignored when `databaseUrl` is set). */
  dataDir: string;
  /** PostgreSQL instead of PGlite (DATABASE_URL). */
  databaseUrl?: string | undefined;
  /** How often receipts and the nonce are read (default 200 ms). */
  pollMs?: number | undefined;
  /** How long the run may go without a row settled or a transaction sent before it stops (default 120 s). */
  stallMs?: number | undefined;
  out: Output;
};

/** What a run did. */
export type RunEngineTransferReturnType = {
  ranges: number;
  keys: bigint;
  /** Distinct transactions that carry the file's rows. */
  transactions: number;
  /** Rows placed by this run. */
  placed: number;
  /** Rows an earlier run had placed (resumed or already confirmed). */
  resumed: number;
};

/**
 * A row's stable order reference (the gateway's idempotency key): `transfer:` + the first 16 hex
 * digits of the sha256 of the orders file's bytes + `:` + the row's line. The same file run again
 * names the same orders, so a row is never placed twice; an edited file names new orders, whose
 * keys the outbox refuses while an earlier row holds them.
 *
 * @param fileKey - first 16 hex digits of the file's sha256.
 * @param row - the row.
 * @returns the reference.
 * @example
 * orderReferenceOf("3f1c0d2a9b8e7f60", { line: 4 }) // "transfer:3f1c0d2a9b8e7f60:4"
 */
export function orderReferenceOf(fileKey: string, row: Pick<OrderRow, "line">): string {
  return `transfer:${fileKey}:${row.line}`;
}

/**
 * Runs a bulk orders file on a KeyLedger v2 through the gateway's engine (gateway/createGateway):
 * each row is an order of its named keys, placed under {@link orderReferenceOf} in the engine's
 * durable outbox (PGlite in `dataDir`, or PostgreSQL); the engine gathers them into `transferMany`
 * calls of at most `chunkSize` rows, stores each signed transaction with its nonce before the
 * broadcast and settles it by nonce. Holdings come from the engine's state (read once from the logs
 * at start), not a rescan per row. A run killed at any point and started again with the same file
 * finds its rows in the outbox: accepted rows are not placed again, signed transactions are settled
 * or re-sent with the same nonce, and only the rest is placed.
 *
 * @param ctx - an opened v2 ledger with a signer.
 * @param parameters - see {@link RunEngineTransferParameters}.
 * @returns counts of what was done.
 * @example
 * await runEngineTransfer(ctx, { file: "orders.csv", chunkSize: 50, dataDir: ".keytrail/bulk", out });
 */
export async function runEngineTransfer(
  ctx: LedgerContext,
  parameters: RunEngineTransferParameters,
): Promise<RunEngineTransferReturnType> {
  const { file } = parameters;
  const account = ctx.account!;
  const pc = ctx.publicClient;
  const { rows, bytes } = readOrders(file);
  for (const r of rows)
    if (r.end > BigInt(Number.MAX_SAFE_INTEGER))
      throw new CliError(`${file} line ${r.line}: end ${r.end - 1n} is too large for a key index.`);
  await checkOrderRows(ctx, file, rows);
  const fileKey = createHash("sha256").update(bytes).digest("hex").slice(0, 16);
  const errCtx = ledgerErrorContext(ctx);
  const orders: EngineOrder[] = rows.map((r) => {
    const indices: number[] = [];
    for (let k = Number(r.start); k < Number(r.end); k++) indices.push(k);
    return {
      ref: orderReferenceOf(fileKey, r),
      where: `${file} line ${r.line}`,
      request: {
        orderReference: orderReferenceOf(fileKey, r),
        kind: "transfer",
        batchId: r.batchId,
        quantity: indices.length,
        to: r.to,
      },
      options: { indices, memo: r.memo || undefined },
      batchId: r.batchId,
      start: Number(r.start),
      end: Number(r.end),
    };
  });
  const lineOf = new Map(rows.map((r) => [orderReferenceOf(fileKey, r), r]));
  const r = await runEngineOrders(ctx, {
    source: file,
    orders,
    maxOrdersPerTx: parameters.chunkSize,
    maxKeysPerTx: Number.MAX_SAFE_INTEGER, // a transfer's gas grows with its ranges, not its keys
    dataDir: parameters.dataDir,
    databaseUrl: parameters.databaseUrl,
    label: "transferring",
    unit: "ranges",
    explain: (o, missing, where) => explainRow(lineOf.get(o.ref)!, missing, where),
    pollMs: parameters.pollMs,
    stallMs: parameters.stallMs,
    out: parameters.out,
  });
  return {
    ranges: rows.length,
    keys: rows.reduce((a, x) => a + (x.end - x.start), 0n),
    transactions: r.transactions,
    placed: r.placed,
    resumed: r.resumed,
  };

  /** Why a row's keys are not free: the ledger's sentence (holder, freeze…) when it refuses, else the outbox's. */
  async function explainRow(row: OrderRow, missing: [number, number][], where: string): Promise<Error> {
    try {
      await pc.simulateContract({
        account,
        address: ctx.ledger,
        abi: keyLedgerV2Abi,
        functionName: "transfer",
        args: [row.batchId, row.start, row.end, row.to, `0x${"0".repeat(64)}` as Hex],
      });
    } catch (e) {
      const d = await decodeLedgerError(e, errCtx);
      if (d instanceof LedgerRefusedError)
        return new LedgerRefusedError(`${file} line ${row.line}: ${d.shortMessage} Nothing was sent.`, d.errorName, {
          cause: e,
        });
      return d;
    }
    const keys = missing.map(([s, e]) => formatRange(BigInt(s), BigInt(e))).join(", ");
    return new CliError(
      `${file} line ${row.line}: keys ${keys} of batch ${row.batchId} are allocated to another order in ${where} ` +
        `(an earlier orders file not finished, or a changed one); nothing was sent.`,
    );
  }
}
