import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Hex, PublicClient } from "viem";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { decodeLedgerError } from "../chain/decodeLedgerError.js";
import type { LedgerContext } from "../chain/openLedger.js";
import { CliError, LedgerRefusedError } from "../errors.js";
import { acquireLock } from "../io/acquireLock.js";
import type { Output } from "../io/createOutput.js";
import { formatRange } from "../parse/formatRange.js";
import { createProgress } from "../progress/createProgress.js";
import { checkOrderRows } from "./checkOrderRows.js";
import { readOrders, type OrderRow } from "./readOrders.js";

/** The gateway client name under which the CLI places its orders-file rows. */
export const CLI_ORDER_CLIENT = "keytrail-cli";

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
  const { file, out } = parameters;
  const account = ctx.account!;
  const pc = ctx.publicClient;
  const { rows, bytes } = readOrders(file);
  for (const r of rows)
    if (r.end > BigInt(Number.MAX_SAFE_INTEGER))
      throw new CliError(`${file} line ${r.line}: end ${r.end - 1n} is too large for a key index.`);
  await checkOrderRows(ctx, file, rows);
  const fileKey = createHash("sha256").update(bytes).digest("hex").slice(0, 16);
  const refOf = (r: OrderRow) => orderReferenceOf(fileKey, r);
  const lineOf = new Map(rows.map((r) => [refOf(r), r.line]));
  const errCtx = {
    version: ctx.version,
    publicClient: pc,
    account: account.address,
    ledger: ctx.ledger,
    chainId: ctx.chainId,
    rpcUrl: ctx.rpcUrl,
  };

  const where = parameters.databaseUrl ? "the PostgreSQL outbox (DATABASE_URL)" : `the outbox ${parameters.dataDir}`;
  if (!parameters.databaseUrl) mkdirSync(dirname(parameters.dataDir), { recursive: true });
  // one process per PGlite folder; with PostgreSQL the engine's own lease and locks coordinate
  const release = parameters.databaseUrl ? () => undefined : acquireLock(`${parameters.dataDir}.lock`, where);
  const [{ openGatewayStore }, { createGateway }] = await Promise.all([
    import("../../../gateway/store/openGatewayStore.js"),
    import("../../../gateway/createGateway.js"),
  ]);
  // the engine's lines, and when it last got anywhere: a run that cannot send (no funds, a node
  // refusing every transaction) stops with the engine's last complaint instead of waiting forever
  let lastMove = Date.now();
  let lastComplaint = "";
  const engineLog = (line: string) => {
    if (/^sent nonce /.test(line)) lastMove = Date.now();
    else if (/^(signer loop|simulation failed|watcher|broadcast failed)/.test(line)) lastComplaint = line;
    out.info(line);
  };
  const stallMs = parameters.stallMs ?? 120_000;
  let store: Awaited<ReturnType<typeof openGatewayStore>> | undefined;
  let gateway: Awaited<ReturnType<typeof createGateway>> | undefined;
  try {
    store = await openGatewayStore({
      databaseUrl: parameters.databaseUrl,
      dataDir: parameters.dataDir,
      log: out.info,
    });
    gateway = await createGateway({
      store,
      publicClient: pc as PublicClient,
      account,
      ledger: ctx.ledger,
      fromBlock: ctx.deployBlock,
      windowMs: 50,
      maxOrdersPerTx: parameters.chunkSize,
      maxQuantity: Number.MAX_SAFE_INTEGER,
      maxKeysPerTx: Number.MAX_SAFE_INTEGER, // a transfer's gas grows with its ranges, not its keys
      pollMs: parameters.pollMs ?? 200,
      log: engineLog,
    });
    const refs = rows.map(refOf);
    const known = new Map(
      (
        await store.query<{ ref: string; status: string }>(
          "SELECT ref, status FROM gw_orders WHERE client = $1 AND ref = ANY($2::text[])",
          [CLI_ORDER_CLIENT, refs],
        )
      ).map((k) => [k.ref, k.status]),
    );
    const fresh = rows.filter((r) => !known.has(refOf(r)));
    if (known.size > 0)
      out.info(
        `resuming ${file}: ${known.size} of ${rows.length} rows already in ${where} ` +
          `(${[...known.values()].filter((s) => s === "confirmed").length} confirmed)`,
      );

    // Every new row's keys must be free in the engine's holdings before any row is placed.
    for (const r of fresh) {
      const missing = gateway.notFree(r.batchId, Number(r.start), Number(r.end));
      if (missing.length > 0) throw await explainRow(r, missing);
    }

    const bar = createProgress({ label: "transferring", total: rows.length, unit: "ranges", quiet: out.quiet });
    try {
      for (let i = 0; i < fresh.length; i += 500) {
        await Promise.all(
          fresh.slice(i, i + 500).map(async (r) => {
            const indices: number[] = [];
            for (let k = Number(r.start); k < Number(r.end); k++) indices.push(k);
            try {
              await gateway!.placeOrder(
                CLI_ORDER_CLIENT,
                { orderReference: refOf(r), kind: "transfer", batchId: r.batchId, quantity: indices.length, to: r.to },
                { indices, memo: r.memo || undefined },
              );
            } catch (e) {
              throw new CliError(`${file} line ${r.line}: ${(e as Error).message}`, { cause: e });
            }
          }),
        );
      }
      let settled = -1;
      for (;;) {
        const counts = await store.query<{ status: string; n: number }>(
          "SELECT status, count(*)::int AS n FROM gw_orders WHERE client = $1 AND ref = ANY($2::text[]) GROUP BY status",
          [CLI_ORDER_CLIENT, refs],
        );
        const n = (s: string) => Number(counts.find((c) => c.status === s)?.n ?? 0);
        if (n("confirmed") + n("failed") !== settled) {
          settled = n("confirmed") + n("failed");
          lastMove = Date.now();
        }
        bar.update(settled);
        if (n("pending") === 0) break;
        if (Date.now() - lastMove > stallMs)
          throw new CliError(
            `${file}: nothing was sent or settled for ${Math.round(stallMs / 1000)} s` +
              `${lastComplaint ? ` (last: ${lastComplaint})` : ""}; ${settled} of ${rows.length} rows settled. ` +
              `Re-run the same command to resume: ${where} holds the accepted rows and signed transactions.`,
          );
        try {
          await pc.getBlockNumber();
        } catch (e) {
          throw await decodeLedgerError(e, {
            ...errCtx,
            action: `record ${file} (re-run the same command to resume: ${where} holds the accepted rows and signed transactions)`,
          });
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      bar.stop();
    }
    const failed = await store.query<{ ref: string; reason: string | null }>(
      "SELECT ref, reason FROM gw_orders WHERE client = $1 AND ref = ANY($2::text[]) AND status = 'failed'",
      [CLI_ORDER_CLIENT, refs],
    );
    if (failed.length > 0) {
      const lines = failed
        .map((f) => ({ line: lineOf.get(f.ref)!, reason: f.reason ?? "unknown" }))
        .sort((a, b) => a.line - b.line);
      throw new CliError(
        `${file}: ${failed.length} row(s) refused by the ledger: ` +
          lines
            .slice(0, 5)
            .map((l) => `line ${l.line}: ${l.reason}`)
            .join("; ") +
          (lines.length > 5 ? `; and ${lines.length - 5} more` : "") +
          `. The other rows were recorded.`,
      );
    }
    const [tx] = await store.query<{ n: number }>(
      "SELECT count(DISTINCT tx_hash)::int AS n FROM gw_orders WHERE client = $1 AND ref = ANY($2::text[])",
      [CLI_ORDER_CLIENT, refs],
    );
    return {
      ranges: rows.length,
      keys: rows.reduce((a, r) => a + (r.end - r.start), 0n),
      transactions: Number(tx?.n ?? 0),
      placed: fresh.length,
      resumed: known.size,
    };
  } finally {
    await gateway?.stop();
    await store?.close();
    release();
  }

  /** Why a row's keys are not free: the ledger's sentence (holder, freeze…) when it refuses, else the outbox's. */
  async function explainRow(r: OrderRow, missing: [number, number][]): Promise<Error> {
    try {
      await pc.simulateContract({
        account,
        address: ctx.ledger,
        abi: keyLedgerV2Abi,
        functionName: "transfer",
        args: [r.batchId, r.start, r.end, r.to, `0x${"0".repeat(64)}` as Hex],
      });
    } catch (e) {
      const d = await decodeLedgerError(e, errCtx);
      if (d instanceof LedgerRefusedError)
        return new LedgerRefusedError(`${file} line ${r.line}: ${d.shortMessage} Nothing was sent.`, d.errorName, {
          cause: e,
        });
      return d;
    }
    const keys = missing.map(([s, e]) => formatRange(BigInt(s), BigInt(e))).join(", ");
    return new CliError(
      `${file} line ${r.line}: keys ${keys} of batch ${r.batchId} are allocated to another order in ${where} ` +
        `(an earlier orders file not finished, or a changed one); nothing was sent.`,
    );
  }
}
