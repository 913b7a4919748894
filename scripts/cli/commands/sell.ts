import { existsSync, statSync } from "node:fs";
import type { Command } from "commander";
import { openLedger } from "../chain/openLedger.js";
import { CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { parseBatchRef } from "../parse/parseBatchRef.js";
import { parseRange } from "../parse/parseRange.js";
import { parseSaleContext } from "../sale/parseSaleContext.js";
import { checkOrderReference, readSaleOrders } from "../sale/readSaleOrders.js";
import { runSell } from "../sale/runSell.js";
import type { SaleRow } from "../sale/saleTypes.js";
import type { GlobalOptions } from "../types.js";

type SellOptions = {
  batch?: string;
  index?: string;
  start?: string;
  end?: string;
  orderRef?: string;
  amount?: string;
  currency?: string;
  store?: string;
  terminal?: string;
  file?: string;
  journal?: string;
  links?: string;
  chunkSize: string;
  outbox: string;
};

/**
 * `keytrail sell` (KeyLedger v2): records the sale of one key (`--batch --index`), a range
 * (`--batch --start --end`) or an orders file (`--file`) by the current holder, with a receipt
 * secret per key, and writes the buyers' links. Resumable through a sale journal (secret material).
 *
 * @param program - the root command.
 * @example
 * registerSellCommand(program);
 */
export function registerSellCommand(program: Command): void {
  const cmd = program
    .command("sell")
    .description("v2: record the sale of keys you hold (one key, a range, or an orders file) and write buyer links")
    .option("--batch <batch>", "batch folder (links are built from its urls.csv) or batchId")
    .option("--index <n>", "one key")
    .option("--start <n>", "first key of a range")
    .option("--end <n>", "last key of a range (inclusive)")
    .option("--order-ref <text>", "order reference (hashed per key with the key's receipt secret)")
    .option("--amount <amount>", "sale amount in the currency's major unit, e.g. 49.90")
    .option("--currency <code>", "ISO 4217 currency of the amount, e.g. CNY")
    .option("--store <name>", "store name (up to 32 bytes, recorded on chain)")
    .option("--terminal <name>", "terminal name (up to 32 bytes, recorded on chain)")
    .option("--file <orders.csv>", "orders: batch,keys,order_ref[,amount,currency,store,terminal]; resumable")
    .option("--journal <file>", "sale journal (holds receipt secrets: keep it like a keystore)")
    .option("--links <file>", "where the buyer links are written (default: next to the journal)")
    .option("--chunk-size <n>", "keys per transaction", "100")
    .option(
      "--outbox <dir>",
      "PGlite folder of the outbox (the gateway's engine); DATABASE_URL selects PostgreSQL",
      ".keytrail/outbox",
    )
    .action(async (o: SellOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const out = createOutput(g);
      const size = Number(o.chunkSize);
      if (!Number.isInteger(size) || size < 1 || size > 1000)
        throw new CliUsageError(`--chunk-size ${JSON.stringify(o.chunkSize)} is not valid: expected 1 to 1000.`);
      let rows: SaleRow[];
      let source: { name: string; bytes: Uint8Array };
      let journalPath: string;
      if (o.file) {
        if (o.batch || o.index || o.start || o.end || o.orderRef || o.amount || o.currency || o.store || o.terminal)
          throw new CliUsageError(
            "Give either --file, or --batch with --index or --start/--end and --order-ref; not both.",
          );
        const read = readSaleOrders(o.file);
        rows = read.rows;
        source = { name: o.file, bytes: read.bytes };
        journalPath = o.journal ?? `${o.file}.journal`;
      } else {
        if (!o.batch || !o.orderRef || (o.index === undefined) === (o.start === undefined && o.end === undefined))
          throw new CliUsageError(
            "sell needs --batch, --order-ref and either --index or --start and --end (or --file for an orders file).",
          );
        const batchId = parseBatchRef(o.batch);
        const batchDir = existsSync(o.batch) && statSync(o.batch).isDirectory() ? o.batch : undefined;
        if (o.index === undefined && (o.start === undefined || o.end === undefined))
          throw new CliUsageError("A range needs both --start and --end.");
        const range =
          o.index !== undefined ? parseRange(o.index, "--index") : parseRange(`${o.start}-${o.end}`, "--start/--end");
        if (o.index !== undefined && !/^\d+$/.test(o.index.trim()))
          throw new CliUsageError(`--index ${JSON.stringify(o.index)} is not a key index.`);
        const orderReference = checkOrderReference(o.orderRef, "--order-ref: ");
        const context = parseSaleContext(o, "");
        rows = [{ line: 0, batchId, batchDir, ...range, orderReference, context }];
        const canonical = JSON.stringify({
          batchId,
          start: `${range.start}`,
          end: `${range.end}`,
          orderReference,
          o: [o.amount, o.currency, o.store, o.terminal],
        });
        source = { name: "the sale", bytes: new TextEncoder().encode(canonical) };
        journalPath = o.journal ?? `sale-${batchId.slice(2, 14)}-${range.start}-${range.end - 1n}.journal`;
      }
      const linksPath = o.links ?? `${journalPath.replace(/\.journal$/, "")}.links.csv`;
      const ctx = await openLedger(g, { signer: true });
      const r = await runSell(ctx, {
        rows,
        source,
        journalPath,
        linksPath,
        chunkSize: size,
        dataDir: o.outbox,
        databaseUrl: process.env.DATABASE_URL || undefined,
        out,
      });
      const withUrl = r.keys.filter((k) => k.url).length;
      out.info(`sale journal ${journalPath} holds the receipt secrets: keep it private, like a keystore`);
      if (withUrl < r.keys.length)
        out.info(
          `${r.keys.length - withUrl} keys have no link (their batch was named by id): name the batch folder to build links`,
        );
      const only = r.keys.length === 1 ? r.keys[0] : undefined;
      out.result(
        `sold ${r.keys.length} keys as ${ctx.account!.address} in ${r.chunks} transactions: ${r.sent} orders placed now` +
          `${r.resumed ? `, ${r.resumed} placed by an earlier run` : ""}; buyer links in ${linksPath}`,
      );
      if (only?.url) out.result(only.url);
    });
  addExamples(
    cmd,
    "keytrail sell --batch out/2026-11-A --index 4711 --order-ref ORD-2026-0042 --amount 49.90 --currency CNY --keystore retailer.json",
    "keytrail sell --batch out/2026-11-A --start 0 --end 99 --order-ref B2B-7781 --store 'Shop 12'",
    "keytrail sell --file sales.csv   # re-run the same line after an interruption to resume",
  );
}
