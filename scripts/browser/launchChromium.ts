import chromium from "@sparticuz/chromium";
import { chromium as pw, type Browser } from "playwright-core";

/**
 * Launches the headless Chromium carried by the npm package @sparticuz/chromium (no apt, no
 * root), with background networking off so it makes no requests of its own.
 *
 * @returns the browser.
 * @example
 * const browser = await launchChromium();
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await chromium.executablePath();
  return pw.launch({
    executablePath,
    headless: true,
    args: [...chromium.args, "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-default-apps"],
  });
}
