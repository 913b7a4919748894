import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { BatchManifest } from "../../../lib/formats/manifest.js";
import { sanitiseDisplayText } from "../../../lib/text/sanitiseDisplayText.js";
import { CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { writeFileAtomic } from "../io/writeFileAtomic.js";
import { parseRange } from "../parse/parseRange.js";
import type { GlobalOptions } from "../types.js";
import { readUrlRange } from "./readUrlRange.js";
import { labelUrl, type LabelForm } from "./labelUrl.js";
import { renderLabelSheetPdf } from "./renderLabelSheetPdf.js";

type LabelsOptions = { batchDir: string; range: string; out: string; form: string };

/**
 * `keytrail batch labels`: a printable A4 label sheet (PDF) of a range of a batch's keys. Labels carry the public
 * form by default (no salt: safe on a card or a shelf before purchase); `--form private` prints the links of
 * urls.csv, which let their reader test guesses of the key, for places hidden until sale.
 *
 * @param batch - the `batch` command.
 * @example
 * registerBatchLabels(batchCommand);
 */
export function registerBatchLabels(batch: Command): void {
  const cmd = batch
    .command("labels")
    .description("write a printable A4 label sheet (PDF, 21 QR labels per page) for a range of keys")
    .requiredOption("--batch-dir <dir>", "the sealed batch folder")
    .requiredOption("--range <first-last>", "inclusive index range, e.g. 0-209")
    .requiredOption("--out <file.pdf>", "the PDF to write")
    .option(
      "--form <form>",
      "public (no salt: for codes visible before purchase) or private (with the salt: only where the key is hidden)",
      "public",
    )
    .action(async (o: LabelsOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      if (o.form !== "public" && o.form !== "private")
        throw new CliUsageError(`--form ${JSON.stringify(o.form)} is not a label form: expected public or private.`);
      const form: LabelForm = o.form;
      const range = parseRange(o.range, "--range");
      if (range.end - range.start > 100_000n)
        throw new CliUsageError(`--range ${o.range} is over 100,000 labels; print in parts.`);
      const rows = (await readUrlRange(o.batchDir, Number(range.start), Number(range.end))).map((r) => ({
        ...r,
        url: labelUrl(r.url, form),
      }));
      if (rows.length === 0) throw new CliUsageError(`--range ${o.range} selects no key of ${o.batchDir}.`);
      const m = join(o.batchDir, "manifest.json");
      const label = existsSync(m)
        ? String((JSON.parse(readFileSync(m, "utf8")) as Partial<Pick<BatchManifest, "label">>).label ?? "")
        : "";
      const { default: QRCode } = await import("qrcode");
      const pdf = renderLabelSheetPdf(
        rows,
        `KeyTrail batch ${sanitiseDisplayText(label, { maxLength: 60 }).text}`,
        QRCode.create,
        form,
      );
      writeFileAtomic(o.out, pdf);
      createOutput(g).result(
        `wrote ${rows.length} ${form} labels on ${Math.ceil(rows.length / 21)} page(s) to ${o.out}` +
          (form === "private" ? " (private form: print only where the key is hidden until sale)" : ""),
      );
    });
  addExamples(
    cmd,
    "keytrail batch labels --batch-dir out/2026-11-A --range 0-209 --out out/2026-11-A/labels-0-209.pdf",
    "keytrail batch labels --batch-dir out/2026-11-A --range 0-209 --form private --out out/2026-11-A/inserts.pdf",
  );
}
