import type { Command } from "commander";
import { registerBatchAnchor } from "../batch/registerBatchAnchor.js";
import { registerBatchLabels } from "../batch/registerBatchLabels.js";
import { registerBatchLink } from "../batch/registerBatchLink.js";
import { registerBatchQr } from "../batch/registerBatchQr.js";
import { registerBatchSeal } from "../batch/registerBatchSeal.js";

/**
 * `keytrail batch seal|anchor|qr|labels|link`.
 *
 * @param program - the root command.
 * @example
 * registerBatchCommand(program);
 */
export function registerBatchCommand(program: Command): void {
  const batch = program
    .command("batch")
    .description("seal a key file into a batch folder, anchor it on chain, print QR codes and label sheets");
  registerBatchSeal(batch);
  registerBatchAnchor(batch);
  registerBatchQr(batch);
  registerBatchLabels(batch);
  registerBatchLink(batch);
}
