// @ts-check
import { cpSync, existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "astro/config";
import { loadPortalConfig } from "./src/config/loadPortalConfig.ts";
import { cspDirectives } from "./src/config/cspDirectives.ts";
import { copyExport } from "./src/config/copyExport.ts";
import { preloadHelperWithoutDeps } from "./src/config/preloadHelperWithoutDeps.ts";

const config = loadPortalConfig();

/**
 * jsQR carries a 7,000-entry Shift-JIS table used only for QR "Kanji mode" segments (about three
 * quarters of its size). KeyTrail codes are URLs (byte mode), so the fallback decoder drops it:
 * a Kanji-mode QR then decodes to text that is not a KeyTrail link and gets "malformed".
 * @type {import("vite").Plugin}
 */
const jsQrWithoutKanjiTable = {
  name: "keytrail-jsqr-without-kanji-table",
  enforce: "pre",
  transform(code, id) {
    if (!/[\\/]jsqr[\\/]dist[\\/]jsQR\.js$/.test(id)) return null;
    const out = code.replace(/exports\.shiftJISTable = \{[\s\S]*?\n\};/, "exports.shiftJISTable = {};");
    if (out === code) this.warn("jsQR's Shift-JIS table was not found: the QR fallback chunk stays large");
    return { code: out, map: null };
  },
};
/**
 * lib/proof (the storage-proof reader of the verify page) imports six small helpers from viem; the
 * page takes them from src/lib/proofViem.ts instead, written on the keccak it already ships.
 * @type {import("vite").Plugin}
 */
const proofHelpersWithoutViem = {
  name: "keytrail-proof-helpers-without-viem",
  enforce: "pre",
  resolveId(source, importer) {
    if (source !== "viem" || !importer || !/[\\/]lib[\\/]proof[\\/][^\\/]+\.ts$/.test(importer)) return null;
    return fileURLToPath(new URL("./src/lib/proofViem.ts", import.meta.url));
  },
};
/**
 * lib/verify's verifyPayload renders each check's detail with lib/verify/checkDetails.ts (English
 * templates, for the CLI); the page takes src/lib/checkDetailsPage.ts instead, which renders the same
 * code from the page's own strings, so the English templates are not in the page's script twice.
 * @type {import("vite").Plugin}
 */
const checkDetailsFromPageStrings = {
  name: "keytrail-check-details-from-page-strings",
  enforce: "pre",
  resolveId(source, importer) {
    if (source !== "./checkDetails.js" || !importer || !/[\\/]lib[\\/]verify[\\/]verifyPayload\.ts$/.test(importer))
      return null;
    return fileURLToPath(new URL("./src/lib/checkDetailsPage.ts", import.meta.url));
  },
};
const baseUrl = new URL(config.portalBase + "/");

/** @type {import("./src/config/publicConfig.ts").PublicConfig} */
const publicConfig = {
  chainId: config.chainId,
  chainName: config.chainName,
  rpcUrls: config.rpcUrls,
  ledger: config.ledger,
  ...(config.ledgerVersion !== undefined ? { ledgerVersion: config.ledgerVersion } : {}),
  portalBase: config.portalBase,
  explorerUrl: config.explorerUrl,
};

export default defineConfig({
  site: baseUrl.origin,
  base: baseUrl.pathname,
  trailingSlash: "always",
  output: "static",
  // KEYTRAIL_PORTAL_OUT_DIR: build elsewhere than portal/dist (tests, `keytrail portal build --out`).
  outDir: process.env.KEYTRAIL_PORTAL_OUT_DIR || fileURLToPath(new URL("./dist/", import.meta.url)),
  build: { format: "directory", inlineStylesheets: "always" },
  devToolbar: { enabled: false },
  markdown: { syntaxHighlight: false },
  i18n: {
    locales: ["zh-CN", "en"],
    defaultLocale: "zh-CN",
    routing: { prefixDefaultLocale: false },
  },
  security: {
    csp: {
      algorithm: "SHA-256",
      directives: cspDirectives(config.rpcUrls),
    },
  },
  vite: {
    plugins: [jsQrWithoutKanjiTable, proofHelpersWithoutViem, checkDetailsFromPageStrings, preloadHelperWithoutDeps()],
    define: {
      __KEYTRAIL_PUBLIC__: JSON.stringify(publicConfig),
      __KEYTRAIL_EXPORT_DIR__: JSON.stringify(config.exportDir),
    },
    build: { modulePreload: { polyfill: false }, assetsInlineLimit: 0 },
  },
  integrations: [
    {
      name: "keytrail-export",
      hooks: {
        "astro:build:done": ({ dir, logger }) => {
          if (!config.exportDir) {
            logger.info("no export folder configured: pages show placeholders");
            return;
          }
          if (!existsSync(config.exportDir) || !statSync(config.exportDir).isDirectory()) {
            throw new Error(
              `Export folder ${config.exportDir} (KEYTRAIL_EXPORT_DIR / exportDir) does not exist or is not a folder.`,
            );
          }
          const { copied, skipped } = copyExport(config.exportDir, fileURLToPath(new URL("export/", dir)), cpSync);
          logger.info(`copied ${copied} export files to export/`);
          if (skipped.length)
            logger.warn(
              `left ${skipped.length} file(s) of ${config.exportDir} unpublished (not part of the export format): ` +
                `${skipped.slice(0, 5).join(", ")}${skipped.length > 5 ? ", …" : ""}`,
            );
        },
      },
    },
  ],
});
