import type { Server } from "node:http";
import type { Browser } from "playwright-core";
import { createStaticServer } from "../../../portal/server/createStaticServer.js";
import { launchChromium } from "../../../scripts/browser/launchChromium.js";

/** A built portal served on 127.0.0.1 and the Chromium that opens it. */
export type ServedPortal = {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  browser: Browser;
  /** Closes the browser, then the server. */
  close: () => Promise<void>;
};

/**
 * Serves a built portal with `keytrail portal serve`'s static server on a free port of 127.0.0.1 and launches
 * Chromium.
 *
 * @param dist - the built portal folder
 * @returns the server, its origin, the browser and close
 * @example
 * const site = await servePortal(await buildPortal({ ... }));
 * const page = await site.browser.newPage();
 */
export async function servePortal(dist: string): Promise<ServedPortal> {
  const server = createStaticServer({ root: dist });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const browser = await launchChromium().catch(async (e: unknown) => {
    await new Promise<void>((ok) => server.close(() => ok()));
    throw e;
  });
  const close = async () => {
    await browser.close();
    await new Promise<void>((ok) => server.close(() => ok()));
  };
  return { server, origin, browser, close };
}
