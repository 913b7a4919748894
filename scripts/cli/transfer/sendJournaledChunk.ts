import { keccak256, type Hex, type TransactionReceipt } from "viem";
import { decodeLedgerError, type DecodeLedgerErrorContext } from "../chain/decodeLedgerError.js";
import type { LedgerContext } from "../chain/openLedger.js";
import { waitForReceipt } from "../chain/waitForReceipt.js";
import { CliError } from "../errors.js";
import type { Output } from "../io/createOutput.js";
import type { Journal, JournalEntry } from "./openJournal.js";

/** Parameters of {@link sendJournaledChunk}. */
export type SendJournaledChunkParameters = {
  journal: Journal;
  /** The chunk's number in the journal. */
  chunk: number;
  /** The chunk for messages, e.g. "chunk 2/8". */
  label: string;
  /** What the transaction does, for messages, e.g. "transferMany of chunk 2/8 of orders.csv". */
  action: string;
  /** Where the chunk comes from, for a revert message, e.g. "orders.csv lines 12-20". */
  where: string;
  /** Checks the call against the chain before anything is signed; throws an explained error. */
  simulate: () => Promise<void>;
  /** The call data. */
  data: Hex;
  /** The resume advice when the node stops answering. */
  afterwards: string;
  out: Output;
  errCtx: DecodeLedgerErrorContext;
};

/** What {@link sendJournaledChunk} did. */
export type SendJournaledChunkReturnType = {
  receipt: TransactionReceipt;
  /** Whether this run broadcast a new transaction. */
  sent: boolean;
  /** Whether a transaction signed by an interrupted run was settled. */
  settled: boolean;
};

/**
 * Sends one chunk of a journaled bulk run (transfers, sales) at most once: a chunk an earlier run
 * signed is settled first (receipt, mempool, or re-broadcast of the same signed bytes, which cannot
 * apply twice because the nonce is fixed); otherwise the call is simulated, signed locally,
 * journaled before the broadcast, broadcast and awaited. The confirmation is journaled too.
 *
 * @param ctx - an opened ledger with a signer.
 * @param parameters - see {@link SendJournaledChunkParameters}.
 * @returns the receipt and whether it was sent now or settled.
 * @example
 * const { receipt } = await sendJournaledChunk(ctx, { journal, chunk: 0, label: "chunk 1/3", … });
 */
export async function sendJournaledChunk(
  ctx: LedgerContext,
  parameters: SendJournaledChunkParameters,
): Promise<SendJournaledChunkReturnType> {
  const { journal, chunk, label, out, errCtx } = parameters;
  const account = ctx.account!;
  const wallet = ctx.walletClient!;
  const pc = ctx.publicClient;
  const waitFor = (hash: Hex) =>
    waitForReceipt(ctx, { hash, action: parameters.action, afterwards: parameters.afterwards });

  let receipt: TransactionReceipt | undefined;
  let sent = false;
  let settled = false;
  const last = journal.last.get(chunk);
  if (last?.state === "signed") {
    receipt = await settleInFlight(last);
    if (receipt) settled = true;
  }
  if (!receipt) {
    await parameters.simulate();
    let raw: Hex;
    let nonce: number;
    try {
      nonce = await pc.getTransactionCount({ address: account.address, blockTag: "pending" });
      const request = await wallet.prepareTransactionRequest({
        account,
        chain: wallet.chain,
        to: ctx.ledger,
        data: parameters.data,
        nonce,
      });
      raw = await wallet.signTransaction(request as never);
    } catch (e) {
      throw await decodeLedgerError(e, { ...errCtx, action: `prepare ${label}` });
    }
    const hash = keccak256(raw);
    journal.append({ chunk, state: "signed", hash, nonce, raw });
    try {
      await pc.sendRawTransaction({ serializedTransaction: raw });
    } catch (e) {
      throw await decodeLedgerError(e, { ...errCtx, action: `send ${label} (tx ${hash}; re-run to resume)` });
    }
    sent = true;
    receipt = await waitFor(hash).catch(async (e: unknown) => {
      throw await decodeLedgerError(e, { ...errCtx, action: `confirm ${label} (tx ${hash}; re-run to resume)` });
    });
    if (receipt.status !== "success") {
      throw new CliError(
        `${label[0]!.toUpperCase()}${label.slice(1)} (${parameters.where}) transaction ${hash} reverted in block ${receipt.blockNumber}; re-run to retry it with fresh checks.`,
      );
    }
  }
  journal.append({ chunk, state: "confirmed", hash: receipt.transactionHash, block: receipt.blockNumber.toString() });
  return { receipt, sent, settled };

  /** A chunk signed by an earlier run: find out what became of it. Undefined = not applied, send anew. */
  async function settleInFlight(
    entry: Extract<JournalEntry, { state: "signed" }>,
  ): Promise<TransactionReceipt | undefined> {
    const hash = entry.hash as Hex;
    const mined = await pc.getTransactionReceipt({ hash }).catch(() => undefined);
    if (mined) return mined.status === "success" ? mined : undefined;
    const pending = await pc.getTransaction({ hash }).catch(() => undefined);
    if (!pending) {
      try {
        await pc.sendRawTransaction({ serializedTransaction: entry.raw as Hex });
        out.info(
          `re-broadcast the signed transaction ${hash} of chunk ${entry.chunk + 1} (same nonce ${entry.nonce}: it can apply at most once)`,
        );
      } catch (e) {
        const msg = String((e as Error).message);
        if (/nonce too low|nonce.*(used|lower)|already known|known transaction/i.test(msg)) {
          const again = await pc.getTransactionReceipt({ hash }).catch(() => undefined);
          if (again) return again.status === "success" ? again : undefined;
          if (/already known|known transaction/i.test(msg)) return waitFor(hash);
          return undefined; // nonce taken by another transaction: this one never applied
        }
        throw await decodeLedgerError(e, { ...errCtx, action: `re-broadcast chunk ${entry.chunk + 1} (tx ${hash})` });
      }
    }
    const r = await waitFor(hash);
    return r.status === "success" ? r : undefined;
  }
}
