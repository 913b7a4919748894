import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { BatchManifest } from "../../../lib/formats/manifest.js";
import { decodeProofShard } from "../../../lib/merkle/decodeProofShard.js";
import { proofFromShard } from "../../../lib/merkle/proofFromShard.js";
import { decodePayload } from "../../../lib/payload/decodePayload.js";
import { encodePayload } from "../../../lib/payload/encodePayload.js";
import { parsePayloadInput } from "../../../lib/payload/parsePayloadInput.js";
import { digitalLinkUrl } from "../../../lib/payload/digitalLinkUrl.js";
import { payloadUrl } from "../../../lib/payload/payloadUrl.js";
import { CliError, CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { parseAddress } from "../parse/parseAddress.js";
import type { GlobalOptions } from "../types.js";
import { readUrlRange } from "./readUrlRange.js";

type LinkOptions = { batchDir: string; index: string; full?: boolean; seller?: string; portal?: string };

/**
 * `keytrail batch link`: one key's verification link from a sealed batch, optionally in full form
 * (proof inside, verifiable offline; built from the published proof shard) and with the seller
 * who delivers the key (the verifier then checks the seller holds it).
 *
 * @param batch - the `batch` command.
 * @example
 * registerBatchLink(batchCommand);
 */
export function registerBatchLink(batch: Command): void {
  const cmd = batch
    .command("link")
    .description("print one key's verification link (short or full form, optionally naming the seller)")
    .requiredOption("--batch-dir <dir>", "the sealed batch folder")
    .requiredOption("--index <n>", "key index")
    .option("--full", "full form: the Merkle proof travels in the link (offline-verifiable, longer)")
    .option("--seller <address>", "the retailer delivering the key")
    .option("--portal <url>", "portal base URL (default: the one the batch was sealed with)")
    .action(async (o: LinkOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      if (!/^\d+$/.test(o.index)) throw new CliUsageError(`--index ${JSON.stringify(o.index)} is not a key index.`);
      const index = Number(o.index);
      const [row] = await readUrlRange(o.batchDir, index, index + 1);
      if (!row) throw new CliUsageError(`--index ${index} is not in ${o.batchDir}/urls.csv.`);
      const { payload, portalBase, digitalLink } = parsePayloadInput(row.url);
      let fields = decodePayload(payload);
      if (o.full && fields.form === "short") {
        const manifest = JSON.parse(readFileSync(join(o.batchDir, "manifest.json"), "utf8")) as Pick<
          BatchManifest,
          "shardSize"
        >;
        const file = join(o.batchDir, "shards", `${Math.floor(index / manifest.shardSize)}.bin`);
        if (!existsSync(file)) throw new CliError(`Proof shard ${file} is missing.`);
        const { commitment, proof } = proofFromShard(
          decodeProofShard(new Uint8Array(readFileSync(file))),
          index,
          fields.batchId,
        );
        fields = { ...fields, form: "full", commitment, proof };
      }
      if (o.seller) fields = { ...fields, seller: parseAddress(o.seller, "--seller") };
      const base = (o.portal ?? portalBase ?? "").replace(/\/+$/, "");
      if (!base) throw new CliUsageError("No portal base URL: pass --portal.");
      // a batch sealed with GS1 Digital Links keeps that form (the payload keeps its GTIN and serial)
      const text = encodePayload(fields);
      createOutput(g).result(digitalLink ? digitalLinkUrl(base, text) : payloadUrl(base, text));
    });
  addExamples(cmd, "keytrail batch link --batch-dir out/2026-11-A --index 4711 --full --seller 0x15d3…6A65");
}
