import { chmodSync, writeFileSync } from "node:fs";
import { encodeFunctionData, keccak256, type Hex } from "viem";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { decodePayload } from "../../../lib/payload/decodePayload.js";
import { encodePayload } from "../../../lib/payload/encodePayload.js";
import { parsePayloadInput } from "../../../lib/payload/parsePayloadInput.js";
import { payloadUrl } from "../../../lib/payload/payloadUrl.js";
import { computeOrderRefHash } from "../../../lib/sale/computeOrderRefHash.js";
import { computeReceiptCommitment } from "../../../lib/sale/computeReceiptCommitment.js";
import { createReceiptSecret } from "../../../lib/sale/createReceiptSecret.js";
import { readUrlRange } from "../batch/readUrlRange.js";
import { decodeLedgerError } from "../chain/decodeLedgerError.js";
import type { LedgerContext } from "../chain/openLedger.js";
import { readBatch } from "../chain/readBatch.js";
import { CliError, LedgerRefusedError } from "../errors.js";
import { acquireLock } from "../io/acquireLock.js";
import type { Output } from "../io/createOutput.js";
import { createProgress } from "../progress/createProgress.js";
import { openJournal } from "../transfer/openJournal.js";
import { sendJournaledChunk } from "../transfer/sendJournaledChunk.js";
import { planSaleChunks, type SaleChunk } from "./planSaleChunks.js";
import type { SaleItemRecord, SaleRow } from "./saleTypes.js";

/** Parameters of {@link runSell}. */
export type RunSellParameters = {
  rows: readonly SaleRow[];
  /** What the rows came from, hashed into the journal (a changed order is refused on resume). */
  source: { name: string; bytes: Uint8Array };
  /** The journal file (secret material: it holds the buyers' receipt secrets). */
  journalPath: string;
  /** Where the buyer links are written (0600). */
  linksPath: string;
  chunkSize: number;
  out: Output;
};

/** A sold key and its buyer link (undefined when the batch was named by id, not by its folder). */
export type SoldKey = SaleItemRecord & { url: string | undefined };

/** What a sell run did. */
export type RunSellReturnType = { chunks: number; sent: number; settled: number; resumed: number; keys: SoldKey[] };

/**
 * Sells keys on a KeyLedger v2: per key a fresh receipt secret (lib/sale createReceiptSecret), its
 * commitment and the order-reference hash; one `sell` call per chunk (groups per batch, strictly
 * increasing indices). Resumable like a bulk transfer: the chunk's keys and secrets are journaled
 * (0600) before anything is signed, then the signed transaction, then the confirmation, so a run
 * killed at any moment resumes with the same secrets, sells no key twice, and prints the same links.
 * Buyer links (payload v2: seller = the selling account, with the receipt secret) are built from
 * the batch folder's urls.csv and written to `linksPath` (0600); secrets never go to logs.
 *
 * @param ctx - an opened v2 ledger with a signer.
 * @param parameters - see {@link RunSellParameters}.
 * @returns counts and the sold keys with their links.
 * @example
 * const r = await runSell(ctx, { rows, source, journalPath, linksPath, chunkSize: 100, out });
 */
export async function runSell(ctx: LedgerContext, parameters: RunSellParameters): Promise<RunSellReturnType> {
  const { rows, source, out, journalPath } = parameters;
  const account = ctx.account!;
  const pc = ctx.publicClient;
  if (ctx.version !== 2)
    throw new CliError(`Ledger ${ctx.ledger} is a version 1 ledger: it records no sales.`, {
      details: "Sales need a KeyLedger v2 (keytrail deploy deploys one).",
    });
  const errCtx = {
    version: ctx.version,
    publicClient: pc,
    account: account.address,
    ledger: ctx.ledger,
    chainId: ctx.chainId,
    rpcUrl: ctx.rpcUrl,
  };
  for (const batchId of new Set(rows.map((r) => r.batchId))) {
    const line = rows.find((r) => r.batchId === batchId)!.line;
    try {
      const batch = (await readBatch(ctx, batchId))!;
      const outside = rows.find((r) => r.batchId === batchId && r.end > batch.count);
      if (outside)
        throw new CliError(
          `keys up to ${outside.end - 1n} are outside batch ${batchId} (indices 0-${batch.count - 1n}).`,
        );
    } catch (e) {
      throw new CliError(`${source.name}${line > 0 ? ` line ${line}` : ""}: ${(e as CliError).shortMessage}`, {
        cause: e,
      });
    }
  }
  const ordersHash = keccak256(source.bytes);
  const release = acquireLock(`${journalPath}.lock`, journalPath);
  const journal = openJournal(journalPath, "keytrail-sale-journal");
  try {
    let chunkSize = parameters.chunkSize;
    if (journal.header) {
      const h = journal.header;
      if (h.ordersHash !== ordersHash)
        throw new CliError(
          `${source.name} changed since its sale journal ${journal.path} was started; resuming could sell the wrong keys.`,
          { details: "Restore the original order to resume, or move the journal away to treat it as a new sale." },
        );
      if (
        h.chainId !== ctx.chainId ||
        h.ledger.toLowerCase() !== ctx.ledger.toLowerCase() ||
        h.from.toLowerCase() !== account.address.toLowerCase()
      )
        throw new CliError(
          `Sale journal ${journal.path} belongs to a run from ${h.from} on chain id ${h.chainId}, ledger ${h.ledger}; this run is ${account.address} on chain id ${ctx.chainId}, ledger ${ctx.ledger}.`,
        );
      chunkSize = h.chunkSize;
    }
    const chunks = planSaleChunks(rows, chunkSize);
    if (!journal.header)
      journal.append({
        kind: "keytrail-sale-journal",
        version: 1,
        ordersHash,
        chunkSize,
        chainId: ctx.chainId,
        ledger: ctx.ledger,
        from: account.address,
        chunks: chunks.length,
      });
    const confirmed = (c: SaleChunk) => journal.last.get(c.index)?.state === "confirmed";
    const resumed = chunks.filter(confirmed).length;
    if (resumed > 0)
      out.info(
        `resuming ${source.name}: ${resumed} of ${chunks.length} sales already confirmed (journal ${journal.path})`,
      );
    const total = chunks.reduce((a, c) => a + c.keys.length, 0);
    const bar = createProgress({ label: "selling", total, unit: "keys", quiet: out.quiet });
    let done = chunks.filter(confirmed).reduce((a, c) => a + c.keys.length, 0);
    bar.update(done);
    let sent = 0;
    let settled = 0;
    try {
      for (const chunk of chunks) {
        if (confirmed(chunk)) continue;
        const items = prepare(chunk);
        const label = `sale ${chunk.index + 1}/${chunks.length}`;
        const groups = toGroups(items);
        const context = chunk.keys[0]!.row.context;
        const lines = [...new Set(chunk.keys.map((k) => k.row.line))];
        const where = lines[0]! > 0 ? `${source.name} lines ${lines[0]}-${lines.at(-1)}` : source.name;
        const r = await sendJournaledChunk(ctx, {
          journal,
          chunk: chunk.index,
          label,
          action: `sell ${items.length} keys (${label} of ${source.name})`,
          where,
          afterwards: `re-run the same command to resume: journal ${journal.path} holds the signed transaction and the receipt secrets.`,
          out,
          errCtx,
          data: encodeFunctionData({ abi: keyLedgerV2Abi, functionName: "sell", args: [groups, context] }),
          simulate: async () => {
            try {
              await pc.simulateContract({
                account,
                address: ctx.ledger,
                abi: keyLedgerV2Abi,
                functionName: "sell",
                args: [groups, context],
              });
            } catch (e) {
              const d = await decodeLedgerError(e, errCtx);
              throw d instanceof LedgerRefusedError
                ? new LedgerRefusedError(`${where}: ${d.shortMessage} Nothing of ${label} was sent.`, d.errorName, {
                    cause: e,
                  })
                : d;
            }
          },
        });
        if (r.sent) sent++;
        if (r.settled) settled++;
        done += chunk.keys.length;
        bar.update(done);
        out.info(
          `${label} confirmed: ${items.length} keys, tx ${r.receipt.transactionHash}, block ${r.receipt.blockNumber}`,
        );
      }
    } finally {
      bar.stop();
    }
    const sold = chunks.flatMap((c) => journal.prepared.get(c.index)!.items as SaleItemRecord[]);
    const keys = await withLinks(sold);
    writeFileSync(parameters.linksPath, toLinksCsv(keys), { mode: 0o600 });
    chmodSync(parameters.linksPath, 0o600);
    return { chunks: chunks.length, sent, settled, resumed, keys };
  } finally {
    journal.close();
    release();
  }

  /** The chunk's keys with their secrets: from the journal when an earlier run prepared them, else new ones, journaled first. */
  function prepare(chunk: SaleChunk): SaleItemRecord[] {
    const earlier = journal.prepared.get(chunk.index);
    if (earlier) {
      const items = earlier.items as SaleItemRecord[];
      const same =
        items.length === chunk.keys.length &&
        items.every((it, i) => it.batchId === chunk.keys[i]!.row.batchId && it.index === String(chunk.keys[i]!.index));
      if (!same)
        throw new CliError(`Sale journal ${journal.path} does not match ${source.name} for chunk ${chunk.index + 1}.`);
      return items;
    }
    const items = chunk.keys.map(({ row, index }): SaleItemRecord => {
      const secret = createReceiptSecret();
      return {
        batchId: row.batchId,
        index: index.toString(),
        secret,
        orderReference: row.orderReference,
        commitment: computeReceiptCommitment({ batchId: row.batchId, index, secret }),
        orderRef: computeOrderRefHash({ orderReference: row.orderReference, secret }),
      };
    });
    journal.append({ chunk: chunk.index, state: "prepared", items });
    return items;
  }

  /** Builds each key's buyer link from its batch folder's urls.csv (seller and receipt secret added). */
  async function withLinks(items: readonly SaleItemRecord[]): Promise<SoldKey[]> {
    const dirOf = new Map<Hex, string>();
    for (const r of rows) if (r.batchDir) dirOf.set(r.batchId, r.batchDir);
    const urls = new Map<string, string>();
    for (const [batchId, dir] of dirOf) {
      const idx = items.filter((i) => i.batchId === batchId).map((i) => Number(i.index));
      if (idx.length === 0) continue;
      for (const row of await readUrlRange(dir, Math.min(...idx), Math.max(...idx) + 1))
        urls.set(`${batchId}:${row.index}`, row.url);
    }
    return items.map((it) => {
      const url = urls.get(`${it.batchId}:${it.index}`);
      if (!url) return { ...it, url: undefined };
      const { payload, portalBase } = parsePayloadInput(url);
      const fields = { ...decodePayload(payload), seller: account.address, receiptSecret: it.secret };
      return { ...it, url: payloadUrl((portalBase ?? "").replace(/\/+$/, ""), encodePayload(fields)) };
    });
  }
}

/** A sell call's groups: one per batch, indices strictly increasing. */
function toGroups(items: readonly SaleItemRecord[]) {
  const byBatch = new Map<Hex, SaleItemRecord[]>();
  for (const it of items) byBatch.set(it.batchId, [...(byBatch.get(it.batchId) ?? []), it]);
  return [...byBatch].map(([batchId, list]) => {
    const sorted = [...list].sort((a, b) => (BigInt(a.index) < BigInt(b.index) ? -1 : 1));
    return {
      batchId,
      indices: sorted.map((i) => BigInt(i.index)),
      commitments: sorted.map((i) => i.commitment),
      orderRefs: sorted.map((i) => i.orderRef),
    };
  });
}

/** The links file: batch,index,order_reference,url (url empty when the batch folder was not given). */
function toLinksCsv(keys: readonly SoldKey[]): string {
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  return [
    "batch,index,order_reference,url",
    ...keys.map((k) => [k.batchId, k.index, q(k.orderReference), k.url ?? ""].join(",")),
  ]
    .join("\n")
    .concat("\n");
}
