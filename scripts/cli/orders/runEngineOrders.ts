import { chmodSync, mkdirSync } from "node:fs";
import { ledgerErrorContext } from "../chain/ledgerErrorContext.js";
import { dirname } from "node:path";
import type { Hex, PublicClient } from "viem";
import type { OrderAnswer, OrderRequest } from "../../../gateway/types.js";
import type { PlaceOrderOptions } from "../../../gateway/createGateway.js";
import { decodeLedgerError } from "../chain/decodeLedgerError.js";
import type { LedgerContext } from "../chain/openLedger.js";
import { CliError } from "../errors.js";
import { acquireLock } from "../io/acquireLock.js";
import type { Output } from "../io/createOutput.js";
import { createProgress } from "../progress/createProgress.js";

/** The gateway client name under which the CLI places its orders. */
export const CLI_ORDER_CLIENT = "keytrail-cli";

/** One order the CLI places on the engine: a file row (or part of one) under a stable reference. */
export type EngineOrder = {
  /** The stable order reference (the engine's idempotency key). */
  ref: string;
  /** Where it comes from, for messages, e.g. "orders.csv line 4". */
  where: string;
  request: OrderRequest;
  options: PlaceOrderOptions;
  /** The batch and key range it names (checked free before any order is placed). */
  batchId: Hex;
  start: number;
  end: number;
};

/** Parameters of {@link runEngineOrders}. */
export type RunEngineOrdersParameters = {
  /** The file (or "the sale") the orders come from, for messages. */
  source: string;
  orders: readonly EngineOrder[];
  /** Most orders per transaction. */
  maxOrdersPerTx: number;
  /** Most keys per transaction. */
  maxKeysPerTx: number;
  /** PGlite folder of the outbox (ignored when `databaseUrl` is set). */
  dataDir: string;
  databaseUrl?: string | undefined;
  /** Progress bar label and unit, e.g. "transferring", "ranges". */
  label: string;
  unit: string;
  /** Why an order's keys are not free (the ledger's sentence, naming the row). */
  explain: (order: EngineOrder, missing: [number, number][], where: string) => Promise<Error>;
  /** Called with the answers of accepted orders (placed now or by an earlier run), before waiting. */
  accepted?: ((answers: ReadonlyMap<string, OrderAnswer>) => void) | undefined;
  /** How often receipts and the nonce are read (default 200 ms). */
  pollMs?: number | undefined;
  /** How long a run may go without a row settled or a transaction sent before it stops (default 120 s). */
  stallMs?: number | undefined;
  out: Output;
};

/** What {@link runEngineOrders} did. */
export type RunEngineOrdersReturnType = {
  /** Distinct transactions that carry the orders. */
  transactions: number;
  /** Orders placed by this run. */
  placed: number;
  /** Orders an earlier run had placed (resumed or already confirmed). */
  resumed: number;
  /** The final answer of each order, by reference. */
  answers: Map<string, OrderAnswer>;
};

/**
 * Runs CLI orders on the gateway's engine (gateway/createGateway) in this process: opens its outbox
 * (PGlite in `dataDir` under a lock file, or PostgreSQL), starts the engine (holdings read once from
 * the logs; reconciliation of an earlier run's signed transactions by nonce), checks that every
 * order not yet in the outbox names free keys before placing any, places them, and waits until every
 * order is confirmed or failed. Failed orders are named with the ledger's reason. Orders already in
 * the outbox (same reference) are never placed again.
 *
 * @param ctx - an opened v2 ledger with a signer.
 * @param parameters - see {@link RunEngineOrdersParameters}.
 * @returns counts and the answers.
 * @example
 * const r = await runEngineOrders(ctx, { source: "orders.csv", orders, … });
 */
export async function runEngineOrders(
  ctx: LedgerContext,
  parameters: RunEngineOrdersParameters,
): Promise<RunEngineOrdersReturnType> {
  const { source, orders, out } = parameters;
  const pc = ctx.publicClient;
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
  const refs = orders.map((o) => o.ref);
  const byRef = new Map(orders.map((o) => [o.ref, o]));
  let store: Awaited<ReturnType<typeof openGatewayStore>> | undefined;
  let gateway: Awaited<ReturnType<typeof createGateway>> | undefined;
  try {
    store = await openGatewayStore({ databaseUrl: parameters.databaseUrl, dataDir: parameters.dataDir, log: out.info });
    // the outbox holds receipt secrets of sales: its folder is its owner's only, like the sale journal
    if (!parameters.databaseUrl) chmodSync(parameters.dataDir, 0o700);
    gateway = await createGateway({
      store,
      publicClient: pc as PublicClient,
      account: ctx.account!,
      ledger: ctx.ledger,
      fromBlock: ctx.deployBlock,
      windowMs: 250,
      // a file's rows are all queued at once: full windows (fewer transactions), not one per new head
      sendOnHead: false,
      maxOrdersPerTx: parameters.maxOrdersPerTx,
      maxQuantity: Number.MAX_SAFE_INTEGER,
      maxKeysPerTx: parameters.maxKeysPerTx,
      pollMs: parameters.pollMs ?? 200,
      secretsKey: process.env.KEYTRAIL_GATEWAY_SECRETS_KEY || undefined,
      log: engineLog,
    });
    const known = new Map(
      (
        await store.query<{ ref: string; status: string }>(
          "SELECT ref, status FROM gw_orders WHERE client = $1 AND ref = ANY($2::text[])",
          [CLI_ORDER_CLIENT, refs],
        )
      ).map((k) => [k.ref, k.status]),
    );
    const fresh = orders.filter((o) => !known.has(o.ref));
    if (known.size > 0)
      out.info(
        `resuming ${source}: ${known.size} of ${orders.length} orders already in ${where} ` +
          `(${[...known.values()].filter((s) => s === "confirmed").length} confirmed)`,
      );
    // Every new order's keys must be free in the engine's holdings before any order is placed.
    for (const o of fresh) {
      const missing = gateway.notFree(o.batchId, o.start, o.end);
      if (missing.length > 0) throw await parameters.explain(o, missing, where);
    }

    const answers = new Map<string, OrderAnswer>();
    const bar = createProgress({
      label: parameters.label,
      total: orders.length,
      unit: parameters.unit,
      quiet: out.quiet,
    });
    try {
      for (let i = 0; i < fresh.length; i += 500) {
        await Promise.all(
          fresh.slice(i, i + 500).map(async (o) => {
            try {
              const { answer } = await gateway!.placeOrder(CLI_ORDER_CLIENT, o.request, o.options);
              answers.set(o.ref, answer);
            } catch (e) {
              throw new CliError(`${o.where}: ${(e as Error).message}`, { cause: e });
            }
          }),
        );
      }
      if (parameters.accepted) {
        for (const ref of known.keys()) answers.set(ref, await gateway.getOrder(CLI_ORDER_CLIENT, ref));
        parameters.accepted(answers);
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
            `${source}: nothing was sent or settled for ${Math.round(stallMs / 1000)} s` +
              `${lastComplaint ? ` (last: ${lastComplaint})` : ""}; ${settled} of ${orders.length} orders settled. ` +
              `Re-run the same command to resume: ${where} holds the accepted orders and signed transactions.`,
          );
        try {
          await pc.getBlockNumber();
        } catch (e) {
          throw await decodeLedgerError(
            e,
            ledgerErrorContext(
              ctx,
              `record ${source} (re-run the same command to resume: ${where} holds the accepted orders and signed transactions)`,
            ),
          );
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
      const lines = failed.map((f) => `${byRef.get(f.ref)!.where}: ${f.reason ?? "unknown"}`).sort();
      throw new CliError(
        `${source}: ${failed.length} order(s) refused by the ledger: ${lines.slice(0, 5).join("; ")}` +
          `${lines.length > 5 ? `; and ${lines.length - 5} more` : ""}. The others were recorded.`,
      );
    }
    const [tx] = await store.query<{ n: number }>(
      "SELECT count(DISTINCT tx_hash)::int AS n FROM gw_orders WHERE client = $1 AND ref = ANY($2::text[])",
      [CLI_ORDER_CLIENT, refs],
    );
    return { transactions: Number(tx?.n ?? 0), placed: fresh.length, resumed: known.size, answers };
  } finally {
    await gateway?.stop();
    await store?.close();
    release();
  }
}
