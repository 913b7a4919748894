import { join } from "node:path";
import type { Command } from "commander";
import { encodeAbiParameters, getAddress, keccak256, type Hex } from "viem";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { getLedgerLogs } from "../chain/getLedgerLogs.js";
import { getLedgerV2Logs } from "../chain/getLedgerV2Logs.js";
import { openLedger } from "../chain/openLedger.js";
import { readBatch } from "../chain/readBatch.js";
import { sendLedgerTx } from "../chain/sendLedgerTx.js";
import { CliError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { toJson } from "../io/toJson.js";
import { writeFileAtomic } from "../io/writeFileAtomic.js";
import type { GlobalOptions } from "../types.js";
import { readBatchFolder } from "./readBatchFolder.js";
import { toAnchorParams } from "./toAnchorParams.js";

type AnchorOptions = { manifestUri: string; json?: boolean; allowExpired?: boolean; saleRequired?: boolean };

/**
 * `keytrail batch anchor <folder>`: anchors a sealed batch. Refuses a folder without `.complete`;
 * checks the manifest's chain id, ledger and supplier against the connection and names any
 * mismatch; refuses a batch whose expiry has passed unless --allow-expired; `--sale-required` (v2)
 * anchors a batch whose keys can be redeemed only after a recorded sale; idempotent: an already anchored batch (same root) is reported from batchOf and its
 * BatchAnchored log, and nothing is sent.
 *
 * @param batch - the `batch` command.
 * @example
 * registerBatchAnchor(batchCommand);
 */
export function registerBatchAnchor(batch: Command): void {
  const cmd = batch
    .command("anchor <folder>")
    .description("anchor a sealed batch on chain (idempotent: re-running reports the existing anchor)")
    .option("--manifest-uri <uri>", "where manifest.json is published", "")
    .option("--json", "print the anchor record as JSON")
    .option("--allow-expired", "anchor even when the batch's expiry has passed (refused by default)")
    .option("--sale-required", "v2: keys can be redeemed only after a recorded sale (keytrail sell)")
    .action(async (folder: string, o: AnchorOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const out = createOutput(g);
      const { manifest, manifestHash } = readBatchFolder(folder);
      const ctx = await openLedger(g, { signer: true });
      const saleRequired = o.saleRequired === true;
      if (saleRequired && ctx.version !== 2)
        throw new CliError(`--sale-required needs a KeyLedger v2; ledger ${ctx.ledger} is version 1.`, {
          details: "Deploy a v2 ledger (keytrail deploy --new) and seal the batch for it.",
        });
      if (Number(manifest.chainId) !== ctx.chainId) {
        throw new CliError(
          `Batch ${folder} was sealed for chain id ${manifest.chainId} (ledger ${manifest.ledger}), but RPC ${ctx.rpcUrl} serves chain id ${ctx.chainId}.`,
          {
            details: "Its QR payloads name that chain: anchor it there (--rpc-url), or re-seal for this chain.",
          },
        );
      }
      if (getAddress(manifest.ledger) !== ctx.ledger) {
        throw new CliError(
          `Batch ${folder} was sealed for ledger ${getAddress(manifest.ledger)}, but the ledger in use on chain id ${ctx.chainId} is ${ctx.ledger}.`,
          {
            details: "Its QR payloads name that ledger: pass --ledger to anchor there, or re-seal for this ledger.",
          },
        );
      }
      const supplier = getAddress(manifest.supplier);
      const expectId = keccak256(
        encodeAbiParameters([{ type: "address" }, { type: "string" }], [supplier, manifest.label]),
      );
      if (expectId !== manifest.batchId.toLowerCase())
        throw new CliError(
          `${folder}/manifest.json: batchId ${manifest.batchId} does not match supplier ${supplier} and label ${JSON.stringify(manifest.label)} (expected ${expectId}).`,
        );
      const batchId = expectId as Hex;

      const existing = await readBatch(ctx, batchId, false);
      if (existing) {
        if (existing.root.toLowerCase() !== manifest.root.toLowerCase()) {
          throw new CliError(
            `Batch ${batchId} (label ${JSON.stringify(manifest.label)}) is already anchored with root ${existing.root}, but ${folder} has root ${manifest.root}.`,
            {
              details: "The label was reused for different keys: seal them under a new label.",
            },
          );
        }
        if (saleRequired && !existing.saleRequired)
          throw new CliError(
            `Batch ${batchId} (label ${JSON.stringify(manifest.label)}) is already anchored without --sale-required; it cannot be changed.`,
          );
        const [log] =
          ctx.version === 2
            ? await getLedgerV2Logs(ctx.publicClient, {
                address: ctx.ledger,
                event: "BatchAnchored",
                args: { batchId },
                fromBlock: ctx.deployBlock,
              })
            : await getLedgerLogs(ctx.publicClient, {
                address: ctx.ledger,
                events: ["BatchAnchored"],
                topic1: batchId,
                fromBlock: ctx.deployBlock,
              });
        const record = {
          chainId: ctx.chainId,
          ledger: ctx.ledger,
          batchId,
          root: existing.root,
          count: existing.count,
          ...(ctx.version === 2 ? { saleRequired: existing.saleRequired } : {}),
          txHash: log?.transactionHash ?? null,
          block: log?.blockNumber ?? null,
          alreadyAnchored: true,
        };
        writeFileAtomic(join(folder, "anchor.json"), `${toJson(record)}\n`);
        out.info(
          `batch ${batchId} is already anchored${log ? ` in block ${log.blockNumber} (tx ${log.transactionHash})` : ""}; nothing changed`,
        );
        if (o.json) out.json(record);
        else
          out.result(
            `already anchored: batch ${batchId} root ${existing.root} count ${existing.count}${log ? ` block ${log.blockNumber} tx ${log.transactionHash}` : ""}`,
          );
        return;
      }
      const expiresAt = Number(manifest.expiresAt);
      const now = Math.floor(Date.now() / 1000);
      if (expiresAt > 0 && expiresAt <= now && o.allowExpired !== true) {
        const iso = (t: number) => new Date(t * 1000).toISOString().replace(".000Z", "Z");
        throw new CliError(
          `Batch ${folder} expired at ${iso(expiresAt)} (expiresAt ${expiresAt}), before now (${iso(now)}): anchored, its keys would still verify as genuine.`,
          {
            details: "Pass --allow-expired to anchor it anyway.",
          },
        );
      }
      if (ctx.account!.address !== supplier) {
        throw new CliError(
          `Batch ${folder} was sealed for supplier ${supplier}, but the signing account is ${ctx.account!.address}; only the supplier can anchor it.`,
        );
      }
      const params = toAnchorParams(manifest, manifestHash, o.manifestUri);
      const action = `anchor batch ${batchId} (${folder})`;
      const { hash, receipt } =
        ctx.version === 2
          ? await sendLedgerTx(ctx, {
              abi: keyLedgerV2Abi,
              functionName: "anchorBatch",
              args: [{ ...params, saleRequired }],
              action,
            })
          : await sendLedgerTx(ctx, { functionName: "anchorBatch", args: [params], action });
      const record = {
        chainId: ctx.chainId,
        ledger: ctx.ledger,
        batchId,
        root: params.root,
        count: params.count,
        ...(ctx.version === 2 ? { saleRequired } : {}),
        txHash: hash,
        block: receipt.blockNumber,
        alreadyAnchored: false,
      };
      writeFileAtomic(join(folder, "anchor.json"), `${toJson(record)}\n`);
      if (o.json) out.json(record);
      else
        out.result(
          `anchored batch ${batchId} (${params.count} keys, root ${params.root}${saleRequired ? ", sale required" : ""}) in block ${receipt.blockNumber}, tx ${hash}`,
        );
    });
  addExamples(
    cmd,
    "keytrail batch anchor out/2026-11-A --manifest-uri https://keys.example.com/b/2026-11-A/manifest.json --keystore supplier.json",
  );
}
