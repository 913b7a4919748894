import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { VerifyResult } from "../../../lib/verify/types.js";
import { readUrlRange } from "../batch/readUrlRange.js";
import { CliUsageError } from "../errors.js";

/**
 * For `verify --pin` without `--serial`: a key sealed with a card number (serial) is committed
 * with both, so its PIN alone never matches, and "not in batch" would wrongly call a genuine key
 * fake. When the typed PIN did not match, this returns the error that asks for the serial:
 * definite when the sealed batch folder's urls.csv shows the key has one, hedged when nothing
 * says. It returns undefined (the verdict stands) when the folder shows the key has no serial, or
 * for any other result.
 *
 * @param result - what verifyPayload returned for the PIN alone.
 * @param batchDir - the `--batch-dir` given, if any.
 * @returns the usage error to throw, or undefined.
 * @example
 * const ask = await askForSerial(result, o.batchDir); if (ask) throw ask;
 */
export async function askForSerial(
  result: VerifyResult,
  batchDir: string | undefined,
): Promise<CliUsageError | undefined> {
  if (result.verdict !== "not-in-batch" || result.cause !== "key" || result.index === undefined || !result.batchId)
    return undefined;
  const key = `key ${result.index} of batch ${result.batchId}`;
  const serial = batchDir ? await sealedSerial(batchDir, result.batchId, result.index) : undefined;
  if (serial === "") return undefined;
  if (serial !== undefined) {
    return new CliUsageError(
      `Key ${result.index} of batch ${result.batchId} was sealed with a card number (卡号): give it with --serial as well as --pin; the PIN alone never matches it.`,
    );
  }
  return new CliUsageError(
    `The PIN alone does not match ${key}: if the card has a card number (卡号), give it with --serial (keys sealed with one are checked with both); ` +
      "if the card has no card number, this PIN is not the key's.",
  );
}

/** The serial urls.csv of a sealed folder of this batch lists for the index ("" = none); undefined when unknown. */
async function sealedSerial(batchDir: string, batchId: string, index: number): Promise<string | undefined> {
  try {
    const manifest = join(batchDir, "manifest.json");
    if (
      !existsSync(manifest) ||
      String(JSON.parse(readFileSync(manifest, "utf8")).batchId).toLowerCase() !== batchId.toLowerCase()
    )
      return undefined;
    return (await readUrlRange(batchDir, index, index + 1))[0]?.serial;
  } catch {
    return undefined; // no urls.csv (sealed with --no-urls) or an unfinished folder: nothing says
  }
}
