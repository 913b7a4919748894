import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { createStaticServer } from "../../../portal/server/createStaticServer.js";
import { loadPortalConfig } from "../../../portal/src/config/loadPortalConfig.js";
import { portalRoot, runAstroBuild } from "../../portal/runAstroBuild.js";
import type { GlobalOptions } from "../types.js";

type BuildOptions = {
  portalConfig?: string;
  export?: string;
  portalBase?: string;
  explorer?: string;
  chainName?: string;
  ledgerVersion?: string;
  out?: string;
};
type ServeOptions = { dir: string; port: string; host: string; base: string };

/**
 * `keytrail portal build` (the static Astro site, from a JSON config and/or environment and
 * flags) and `keytrail portal serve` (a small static server on 127.0.0.1 for the demo).
 *
 * @param program - the root command.
 * @example
 * registerPortalCommand(program);
 */
export function registerPortalCommand(program: Command): void {
  const portal = program.command("portal").description("the static verification portal: build it, serve it locally");

  portal
    .command("build")
    .description("build the static portal (output: portal/dist, or --out)")
    .option(
      "--portal-config <file>",
      "portal JSON config (chainId, rpcUrls, ledger, ledgerVersion, portalBase, explorerUrl, exportDir, chainName)",
    )
    .option("--export <dir>", "the indexer's static export folder (keytrail export <dir>)")
    .option("--portal-base <url>", "public base URL of the portal, e.g. https://verify.example.cn")
    .option("--explorer <url>", "block explorer base URL for tx and address links")
    .option("--chain-name <name>", "chain name shown to users")
    .option(
      "--ledger-version <1|2>",
      "the ledger's KeyLedger version, so the verify page asks its first reads at once (the chain still decides)",
    )
    .option("--out <dir>", "output folder (default portal/dist)")
    .addHelpText(
      "after",
      `
Configuration: a JSON file (--portal-config or KEYTRAIL_PORTAL_CONFIG), overridden by environment
(KEYTRAIL_CHAIN_ID, KEYTRAIL_RPC_URLS, KEYTRAIL_LEDGER, KEYTRAIL_LEDGER_VERSION, KEYTRAIL_PORTAL_BASE,
KEYTRAIL_EXPLORER_URL, KEYTRAIL_EXPORT_DIR, KEYTRAIL_CHAIN_NAME), overridden by flags (--rpc-url, --ledger, --chain-id, and the above).

Examples:
  keytrail portal build --portal-config portal.json
  keytrail portal build --chain-id 31337 --rpc-url http://127.0.0.1:8545 --ledger 0x5FbD… --portal-base http://127.0.0.1:4321 --export out/export`,
    )
    .action(async (o: BuildOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const env: Record<string, string | undefined> = { ...process.env };
      // Astro runs in the repository (it resolves its packages from there): paths the user gave in
      // the environment are made absolute against the caller's folder first.
      for (const name of ["KEYTRAIL_PORTAL_CONFIG", "KEYTRAIL_EXPORT_DIR", "KEYTRAIL_PORTAL_OUT_DIR"])
        if (env[name]) env[name] = resolve(env[name]);
      if (o.portalConfig) env.KEYTRAIL_PORTAL_CONFIG = resolve(o.portalConfig);
      const flags: Parameters<typeof loadPortalConfig>[2] = {};
      const set = (name: string, v: string | undefined, field?: keyof NonNullable<typeof flags>, flag?: string) => {
        if (v === undefined) return;
        env[name] = v;
        if (field && flag) flags[field] = flag;
      };
      set("KEYTRAIL_CHAIN_ID", g.chainId, "chainId", "--chain-id");
      set("KEYTRAIL_RPC_URLS", g.rpcUrl, "rpcUrls", "--rpc-url");
      set("KEYTRAIL_LEDGER", g.ledger, "ledger", "--ledger");
      set("KEYTRAIL_PORTAL_BASE", o.portalBase, "portalBase", "--portal-base");
      set("KEYTRAIL_EXPLORER_URL", o.explorer, "explorerUrl", "--explorer");
      set("KEYTRAIL_CHAIN_NAME", o.chainName, "chainName", "--chain-name");
      set("KEYTRAIL_LEDGER_VERSION", o.ledgerVersion, "ledgerVersion", "--ledger-version");
      set("KEYTRAIL_EXPORT_DIR", o.export ? resolve(o.export) : undefined, "exportDir", "--export");
      set("KEYTRAIL_PORTAL_OUT_DIR", o.out ? resolve(o.out) : undefined);
      // Validate here first, so a bad value is reported by name before Astro starts.
      loadPortalConfig(env, env.KEYTRAIL_PORTAL_CONFIG, flags);
      const { code } = await runAstroBuild({ env: env as NodeJS.ProcessEnv, output: "inherit" });
      if (code !== 0) throw new Error(`portal build failed (astro build exited with ${code}).`);
      process.stdout.write(`portal built: ${env.KEYTRAIL_PORTAL_OUT_DIR ?? join(portalRoot, "dist")}\n`);
    });

  portal
    .command("serve")
    .description("serve the built portal on 127.0.0.1 (demo; production uses any static host or CDN)")
    .option("--dir <dir>", "built site", join(portalRoot, "dist"))
    .option("--port <port>", "port (0 = any free port)", "4321")
    .option("--host <host>", "interface", "127.0.0.1")
    .option("--base <path>", "URL path prefix the site was built for", "/")
    .action(async (o: ServeOptions) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`Invalid --port ${JSON.stringify(o.port)}: expected 0-65535.`);
      if (!existsSync(join(o.dir, "index.html")))
        throw new Error(`Invalid --dir ${o.dir}: no index.html there; run \`keytrail portal build\` first.`);
      const server = createStaticServer({ root: o.dir, base: o.base });
      await new Promise<void>((ok, fail) => server.once("error", fail).listen(port, o.host, ok));
      const addr = server.address();
      const actual = typeof addr === "object" && addr ? addr.port : port;
      process.stdout.write(`portal: http://${o.host}:${actual}${o.base.replace(/\/?$/, "/")}  (Ctrl-C to stop)\n`);
      await new Promise<void>((done) => {
        const stop = () => server.close(() => done());
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
