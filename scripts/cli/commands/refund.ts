import { existsSync } from "node:fs";
import type { Command } from "commander";
import type { Hex } from "viem";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { computeOrderRefHash } from "../../../lib/sale/computeOrderRefHash.js";
import { computeReceiptCommitment } from "../../../lib/sale/computeReceiptCommitment.js";
import { saleProof } from "../../../lib/sale/saleTree.js";
import { getLedgerV2Logs } from "../chain/getLedgerV2Logs.js";
import { openLedger } from "../chain/openLedger.js";
import { readBatch } from "../chain/readBatch.js";
import { sendLedgerTx } from "../chain/sendLedgerTx.js";
import { CliError, CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { parseBatchRef } from "../parse/parseBatchRef.js";
import { checkOrderReference } from "../sale/readSaleOrders.js";
import type { SaleItemRecord } from "../sale/saleTypes.js";
import { openJournal } from "../transfer/openJournal.js";
import type { GlobalOptions } from "../types.js";

type RefundOptions = { batch: string; index: string; orderRef: string; secretFrom: string };

/**
 * `keytrail refund` (KeyLedger v2): the seller refunds one sold key before it is redeemed. The
 * receipt secret comes from the sale journal; the sale is found from the key's KeysSold log (its
 * sale number), the proof rebuilt with lib/sale `saleProof`. The key is then frozen (reason
 * refunded, supplier layer) until reinstated.
 *
 * @param program - the root command.
 * @example
 * registerRefundCommand(program);
 */
export function registerRefundCommand(program: Command): void {
  const cmd = program
    .command("refund")
    .description("v2: refund a key you sold (before redemption); it is frozen as refunded until reinstated")
    .requiredOption("--batch <batch>", "batchId or batch folder")
    .requiredOption("--index <n>", "the key")
    .requiredOption("--order-ref <text>", "the order reference the key was sold under")
    .requiredOption("--secret-from <journal>", "the sale journal holding the key's receipt secret")
    .action(async (o: RefundOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const batchId = parseBatchRef(o.batch);
      if (!/^\d+$/.test(o.index.trim()))
        throw new CliUsageError(`--index ${JSON.stringify(o.index)} is not a key index.`);
      const index = BigInt(o.index.trim());
      const orderReference = checkOrderReference(o.orderRef, "--order-ref: ");
      if (!existsSync(o.secretFrom)) throw new CliUsageError(`--secret-from ${o.secretFrom} does not exist.`);
      const journal = openJournal(o.secretFrom, "keytrail-sale-journal");
      journal.close();
      const secrets = [...journal.prepared.values()]
        .flatMap((e) => e.items as SaleItemRecord[])
        .filter((it) => it.batchId === batchId && it.index === index.toString());
      if (secrets.length === 0)
        throw new CliError(
          `Sale journal ${o.secretFrom} holds no receipt secret for key ${index} of batch ${batchId}.`,
        );
      const ctx = await openLedger(g, { signer: true });
      if (ctx.version !== 2) throw new CliError(`Ledger ${ctx.ledger} is a version 1 ledger: it records no sales.`);
      await readBatch(ctx, batchId);
      const me = ctx.account!.address;
      const [sold, , saleNo, seller] = await ctx.publicClient.readContract({
        address: ctx.ledger,
        abi: keyLedgerV2Abi,
        functionName: "saleOf",
        args: [batchId, index],
      });
      if (!sold)
        throw new CliError(
          `Key ${index} of batch ${batchId} has no live sale to refund (never sold, or already refunded).`,
        );
      if (seller.toLowerCase() !== me.toLowerCase())
        throw new CliError(
          `Key ${index} of batch ${batchId} was sold by ${seller}, not by you (${me}): only its seller can refund it.`,
        );
      const [log] = await getLedgerV2Logs(ctx.publicClient, {
        address: ctx.ledger,
        event: "KeysSold",
        args: { batchId, saleNo },
        fromBlock: ctx.deployBlock,
      });
      if (!log)
        throw new CliError(
          `The KeysSold log of sale ${saleNo} of batch ${batchId} was not found from block ${ctx.deployBlock}.`,
        );
      const { indices, commitments, orderRefs } = log.args;
      const position = indices.findIndex((i) => i === index);
      if (position < 0) throw new CliError(`Sale ${saleNo} of batch ${batchId} does not list key ${index}.`);
      // The journal may hold several sales of the key (sold, refunded, reinstated, sold again): take the live one's.
      const secret = secrets
        .map((s) => s.secret)
        .find((s) => computeReceiptCommitment({ batchId, index, secret: s }) === commitments[position]);
      if (!secret)
        throw new CliError(
          `No receipt secret in ${o.secretFrom} matches sale ${saleNo} of key ${index} of batch ${batchId} (tx ${log.transactionHash}): that sale was recorded from another journal.`,
        );
      const commitment = commitments[position]!;
      const orderRef = computeOrderRefHash({ orderReference, secret });
      if (orderRef !== orderRefs[position])
        throw new CliError(
          `Order reference ${JSON.stringify(orderReference)} is not the one key ${index} of batch ${batchId} was sold under (sale ${saleNo}).`,
        );
      const items = indices.map((i, k) => ({
        batchId,
        index: i,
        commitment: commitments[k]!,
        orderRef: orderRefs[k]!,
      }));
      const proof: Hex[] = saleProof(items, position);
      const { hash } = await sendLedgerTx(ctx, {
        abi: keyLedgerV2Abi,
        functionName: "refund",
        args: [batchId, index, commitment, orderRef, proof],
        action: `refund key ${index} of batch ${batchId} (sale ${saleNo})`,
      });
      createOutput(g).result(
        `refunded key ${index} of batch ${batchId} (sale ${saleNo}): it is frozen as refunded (supplier layer) until reinstated; tx ${hash}`,
      );
    });
  addExamples(
    cmd,
    "keytrail refund --batch out/2026-11-A --index 4711 --order-ref ORD-2026-0042 --secret-from sales.csv.journal --keystore retailer.json",
  );
}
