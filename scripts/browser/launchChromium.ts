import chromium from "@sparticuz/chromium";
import { chromium as pw, type Browser } from "playwright-core";

/**
 * Launches the headless Chromium carried by the npm package @sparticuz/chromium (no apt, no root),
 * with no background networking (it makes no requests of its own)
 * and one process per renderer.
 *
 * @param extraArgs - more Chromium flags (e.g. a fake camera)
 * @returns the browser
 * @example
 * const browser = await launchChromium();
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const executablePath = await chromium.executablePath();
  return pw.launch({
    executablePath,
    headless: true,
    // --single-process (meant for serverless hosts) ends the browser when its last page closes.
    args: [
      ...chromium.args.filter((a) => a !== "--single-process"),
      "--disable-background-networking",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      ...extraArgs,
    ],
  });
}
