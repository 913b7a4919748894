import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Command } from "commander";
import { getAddress, type Hex } from "viem";
import { sealInputOf } from "../../seal/sealInputOf.js";
import type { SealInput } from "../../seal/types.js";
import { CliError, CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { parseColumns } from "../parse/parseColumns.js";
import { parseFaceValue } from "../parse/parseFaceValue.js";
import { parseTime } from "../parse/parseTime.js";
import { loadTsModule } from "../io/loadTsModule.js";
import { createProgress } from "../progress/createProgress.js";
import type { GlobalOptions } from "../types.js";
import { resolveSealTarget } from "./resolveSealTarget.js";

/** The parts of scripts/seal's SealResult this command prints. */
type SealResultLike = {
  batchId: string;
  root: string;
  count: number;
  shardCount: number;
  keyFile: {
    file: string;
    format: string;
    encoding: string;
    columns: { serial: string | number | null; pin: string | number };
    columnsReason: string;
    warnings: string[];
    entropy: { message: string | undefined };
    shapes?: { weak: boolean; weakest: { shape: string; bits: number } | undefined };
  };
};

type SealOptions = {
  label: string;
  product: string;
  face: string;
  currency: string;
  expires: string;
  gtin?: string;
  restricted?: boolean;
  columns?: string;
  encoding?: string;
  caseInsensitive?: boolean;
  pinLength?: string;
  serialLength?: string;
  shardSize?: string;
  workers?: string;
  portal?: string;
  supplier?: string;
  urls: boolean;
  links?: string;
  allowExpired?: boolean;
  allowWeakKeys?: boolean;
  out: string;
  json?: boolean;
};

/**
 * `keytrail batch seal <keys>`: reads a key file (CSV/TSV/JSONL, UTF-8 or GBK), computes the
 * commitments and the Merkle tree on all cores, and writes the batch folder (manifest, secret,
 * commitments, proof shards, URLs, `.complete` last). Refuses keys under 64 bits of estimated entropy unless
 * `--allow-weak-keys`; prints the low-entropy warning.
 *
 * @param batch - the `batch` command.
 * @example
 * registerBatchSeal(batchCommand);
 */
export function registerBatchSeal(batch: Command): void {
  const cmd = batch
    .command("seal <keys>")
    .description("seal a key file into a batch folder (Merkle root, proof shards, QR URLs); works offline")
    .requiredOption("--label <label>", "batch label, unique per supplier (batchId = keccak256(supplier, label))")
    .requiredOption("--product <id>", "product id: GTIN digits or a SKU")
    .requiredOption("--face <amount>", "face value in the currency's major unit, e.g. 50 or 49.90")
    .requiredOption("--currency <code>", "ISO 4217 code, e.g. CNY")
    .requiredOption("--expires <time>", "key expiry: date, Unix seconds, 365d or never")
    .requiredOption("--out <dir>", "batch folder to write")
    .option("--gtin <digits>", "GTIN-14 carried in the QR payloads (GS1 Digital Link)")
    .option("--restricted", "keys may only move to distributors you authorised")
    .option("--columns <map>", "column mapping, e.g. serial=卡号,pin=卡密 (names or 0-based indices; serial=none)")
    .option("--encoding <enc>", "auto | utf-8 | gbk | gb18030 (default auto: BOM, else UTF-8, else GB18030)")
    .option("--case-insensitive", "upper-case letters in keys (codes whose case does not matter)")
    .option("--pin-length <n>", "refuse PINs of any other length (catches stripped leading zeros)")
    .option("--serial-length <n>", "refuse serials of any other length")
    .option("--shard-size <n>", "keys per proof shard (power of two)", "1024")
    .option("--workers <n>", "worker threads (default: all cores)")
    .option("--portal <url>", "verification portal base URL for the QR links (default: the config's portalBase)")
    .option("--supplier <address>", "seal for this supplier without its key (default: the signing account's address)")
    .option("--no-urls", "do not write urls.csv")
    .option(
      "--links <form>",
      "urls.csv link form: digital-link (<portal>/01/<gtin>/21/<serial>#…, default with --gtin) or plain (<portal>/v/#…)",
    )
    .option("--allow-weak-keys", "seal keys under 64 bits of estimated entropy (refused by default: see the error)")
    .option("--allow-expired", "seal even when --expires is already past (refused by default)")
    .option("--json", "print the seal result as JSON")
    .action(async (keys: string, o: SealOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const out = createOutput(g);
      if (!existsSync(keys)) throw new CliUsageError(`Key file ${keys} does not exist.`);
      const currency = o.currency.toUpperCase();
      if (!/^[A-Z]{3}$/.test(currency))
        throw new CliUsageError(`--currency ${JSON.stringify(o.currency)} is not a three-letter ISO 4217 code.`);
      const faceValue = parseFaceValue(o.face, currency);
      const expiresAt = Number(parseTime(o.expires, "--expires"));
      const encoding = o.encoding?.toLowerCase();
      if (encoding && !["auto", "utf-8", "utf8", "gbk", "gb18030"].includes(encoding))
        throw new CliUsageError(
          `--encoding ${JSON.stringify(o.encoding)} is not supported: expected auto, utf-8, gbk or gb18030.`,
        );
      const int = (v: string | undefined, flag: string) => {
        if (v === undefined) return undefined;
        if (!/^\d+$/.test(v) || Number(v) < 1)
          throw new CliUsageError(`${flag} ${JSON.stringify(v)} is not a positive whole number.`);
        return Number(v);
      };
      const shardSize = int(o.shardSize, "--shard-size")!;
      if ((shardSize & (shardSize - 1)) !== 0)
        throw new CliUsageError(`--shard-size ${shardSize} is not a power of two.`);
      if (o.links !== undefined && o.links !== "digital-link" && o.links !== "plain")
        throw new CliUsageError(
          `--links ${JSON.stringify(o.links)} is not a link form: expected digital-link or plain.`,
        );
      if (o.links === "digital-link" && !o.gtin)
        throw new CliUsageError("--links digital-link needs --gtin: a GS1 Digital Link path starts with the GTIN.");
      if (o.gtin && !/^\d{8,14}$/.test(o.gtin))
        throw new CliUsageError(`--gtin ${JSON.stringify(o.gtin)} is not a GTIN (8 to 14 digits).`);
      const read = {
        ...(encoding
          ? { encoding: (encoding === "utf8" ? "utf-8" : encoding) as "auto" | "utf-8" | "gbk" | "gb18030" }
          : {}),
        ...(o.columns ? { columns: parseColumns(o.columns) } : {}),
        ...(o.caseInsensitive ? { caseInsensitive: true } : {}),
        ...(o.pinLength ? { pinLength: int(o.pinLength, "--pin-length") } : {}),
        ...(o.serialLength ? { serialLength: int(o.serialLength, "--serial-length") } : {}),
      };

      const target = await resolveSealTarget({ ...g, supplier: o.supplier });
      const portalBase = (o.portal ?? target.portalBase)?.replace(/\/+$/, "");
      if (!portalBase)
        throw new CliUsageError(
          "No portal URL for the QR links: pass --portal https://… or set portalBase in keytrail.config.json (keytrail init --portal).",
        );

      const manifestPath = join(o.out, "manifest.json");
      if (existsSync(join(o.out, ".complete")) && existsSync(manifestPath)) {
        const m = JSON.parse(readFileSync(manifestPath, "utf8")) as {
          label: string;
          supplier: string;
          batchId: string;
          count: number;
          root: string;
        };
        if (m.label === o.label && getAddress(m.supplier) === target.supplier) {
          // Same label and supplier: the same input is a re-run (nothing to do); another input would be lost silently.
          const recordPath = join(o.out, "seal-input.json");
          if (existsSync(recordPath)) {
            const sealed = JSON.parse(readFileSync(recordPath, "utf8")) as SealInput;
            const sha256 = `0x${createHash("sha256").update(readFileSync(keys)).digest("hex")}` as Hex;
            const now = sealInputOf(m.batchId as Hex, basename(keys), sha256, read);
            if (now.inputHash !== sealed.inputHash) {
              const what =
                now.keyFileSha256 !== sealed.keyFileSha256
                  ? `the key file differs (SHA-256 ${sealed.keyFileSha256} sealed from ${sealed.keyFile}, ${now.keyFileSha256} now)`
                  : `the reading options differ (sealed with ${JSON.stringify(sealed.read)}, now ${JSON.stringify(now.read)})`;
              throw new CliError(
                `${o.out} already holds the complete seal of batch ${m.batchId} (label ${JSON.stringify(m.label)}) from input ${sealed.inputHash}, but ${keys} gives input ${now.inputHash}: ${what}.`,
                {
                  details:
                    "A complete seal is never overwritten, and these keys are not in it: seal them under a new --label into another --out.",
                },
              );
            }
          } else
            out.warn(
              `${o.out} has no seal-input.json (sealed by an older version): the key file cannot be compared with the sealed one`,
            );
          out.info(`${o.out} already holds the complete seal of batch ${m.batchId} (${m.count} keys); nothing changed`);
          out.result(`already sealed: batch ${m.batchId} root ${m.root} count ${m.count} in ${o.out}`);
          return;
        }
        throw new CliError(
          `${o.out} already holds a complete seal of another batch (label ${JSON.stringify(m.label)}, supplier ${m.supplier}); choose another --out.`,
        );
      }

      const now = Math.floor(Date.now() / 1000);
      if (expiresAt > 0 && expiresAt <= now && o.allowExpired !== true) {
        const iso = (t: number) => new Date(t * 1000).toISOString().replace(".000Z", "Z");
        throw new CliUsageError(
          `--expires ${o.expires} is ${iso(expiresAt)}, already past (now ${iso(now)}): the batch would be anchored expired and its keys would still verify as genuine.`,
          {
            details: "Pass --allow-expired to seal it anyway.",
          },
        );
      }
      out.info(
        `sealing ${keys} for supplier ${target.supplier}, chain id ${target.chainId}, ledger ${target.ledger}${target.offline ? " (offline)" : ""}`,
      );
      let bar: ReturnType<typeof createProgress> | undefined;
      const started = Date.now();
      // Loaded on use through tsx: the sealer starts worker threads from its own source files.
      const { sealBatch } = await loadTsModule<{ sealBatch: (p: Record<string, unknown>) => Promise<SealResultLike> }>(
        "scripts/seal/sealBatch.ts",
      );
      const result = await sealBatch({
        input: keys,
        outDir: o.out,
        label: o.label,
        supplier: target.supplier,
        chainId: target.chainId,
        ledger: target.ledger,
        productId: o.product,
        gtin: o.gtin,
        faceValue,
        currency,
        expiresAt,
        restricted: o.restricted === true,
        portalBase,
        shardSize,
        workers: int(o.workers, "--workers"),
        urls: o.urls,
        links: o.links,
        allowWeakKeys: o.allowWeakKeys === true,
        read,
        allowExpired: o.allowExpired === true,
        onProgress: (done: number, total: number) => {
          bar ??= createProgress({ label: "sealing", total, unit: "keys", quiet: out.quiet });
          bar.update(done);
        },
      });
      bar?.stop();
      const seconds = (Date.now() - started) / 1000;
      const info = result.keyFile;
      out.info(
        `read ${info.file}: ${info.format}, ${info.encoding}, columns serial=${info.columns.serial ?? "none"} pin=${info.columns.pin} (${info.columnsReason})`,
      );
      for (const w of info.warnings) out.warn(w);
      if (info.entropy.message) out.warn(`low-entropy keys: ${info.entropy.message}`);
      const weakest = info.shapes?.weakest;
      if (info.shapes?.weak && weakest)
        out.warn(
          `sealed weak keys (--allow-weak-keys): shape ${weakest.shape}, about ${Math.floor(weakest.bits)} bits; ` +
            "print only the public form where codes are visible before purchase (batch labels --form public)",
        );
      const rate = Math.round(result.count / Math.max(seconds, 0.001));
      if (o.json) out.json({ ...result, seconds });
      else
        out.result(
          `sealed ${result.count} keys into ${o.out}: batch ${result.batchId} root ${result.root}, ${result.shardCount} shards, ${seconds.toFixed(1)} s (${rate.toLocaleString("en-US")} keys/s)` +
            `\nnext: keytrail batch anchor ${o.out}   (keep ${join(o.out, "batch-secret.json")} private)`,
        );
    });
  addExamples(
    cmd,
    "keytrail batch seal keys.csv --label 2026-11-A --product 06901234567892 --gtin 06901234567892 --face 50 --currency CNY --expires 2027-12-31 --portal https://verify.example.com --out out/2026-11-A",
    "keytrail batch seal 导出.csv --encoding gbk --columns serial=卡号,pin=卡密 --label Q4 --product SKU-991 --face 100 --currency CNY --expires never --restricted --out out/Q4",
  );
}
