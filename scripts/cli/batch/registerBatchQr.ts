import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { writeFileAtomic } from "../io/writeFileAtomic.js";
import { parseRange } from "../parse/parseRange.js";
import { createProgress } from "../progress/createProgress.js";
import type { GlobalOptions } from "../types.js";
import { readUrlRange } from "./readUrlRange.js";

type QrOptions = { batchDir: string; range: string; format: string; out: string; scale: string };

/**
 * `keytrail batch qr`: QR images (PNG or SVG, error correction M) of a range of a batch's key
 * URLs, one file per key named `<index>.<ext>`.
 *
 * @param batch - the `batch` command.
 * @example
 * registerBatchQr(batchCommand);
 */
export function registerBatchQr(batch: Command): void {
  const cmd = batch
    .command("qr")
    .description("write QR images (PNG or SVG) for a range of a sealed batch's key URLs")
    .requiredOption("--batch-dir <dir>", "the sealed batch folder")
    .requiredOption("--range <first-last>", "inclusive index range, e.g. 0-99")
    .option("--format <fmt>", "png | svg", "png")
    .option("--scale <n>", "pixels per module (PNG)", "4")
    .requiredOption("--out <dir>", "folder for the images")
    .action(async (o: QrOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const out = createOutput(g);
      const format = o.format.toLowerCase();
      if (format !== "png" && format !== "svg")
        throw new CliUsageError(`--format ${JSON.stringify(o.format)} is not supported: expected png or svg.`);
      const range = parseRange(o.range, "--range");
      if (range.end - range.start > 1_000_000n)
        throw new CliUsageError(`--range ${o.range} is over 1,000,000 keys; write QR images in parts.`);
      const rows = await readUrlRange(o.batchDir, Number(range.start), Number(range.end));
      if (rows.length === 0) throw new CliUsageError(`--range ${o.range} selects no key of ${o.batchDir}.`);
      mkdirSync(o.out, { recursive: true });
      const bar = createProgress({ label: "QR codes", total: rows.length, unit: "images", quiet: out.quiet });
      const scale = Number(o.scale) || 4;
      const { default: QRCode } = await import("qrcode");
      for (const r of rows) {
        const file = join(o.out, `${r.index}.${format}`);
        if (format === "svg")
          writeFileAtomic(file, await QRCode.toString(r.url, { type: "svg", errorCorrectionLevel: "M", margin: 4 }));
        else
          writeFileAtomic(
            file,
            await QRCode.toBuffer(r.url, { type: "png", errorCorrectionLevel: "M", margin: 4, scale }),
          );
        bar.increment();
      }
      bar.stop();
      out.result(
        `wrote ${rows.length} ${format.toUpperCase()} QR codes (indices ${rows[0]!.index}-${rows.at(-1)!.index}) to ${o.out}`,
      );
    });
  addExamples(cmd, "keytrail batch qr --batch-dir out/2026-11-A --range 0-99 --format svg --out out/2026-11-A/qr");
}
