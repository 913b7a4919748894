import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { CONFIG_FILE } from "../config/loadConfig.js";
import { configSchema, type AccountSource, type KeytrailConfig } from "../config/configSchema.js";
import { CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { toJson } from "../io/toJson.js";
import { writeFileAtomic } from "../io/writeFileAtomic.js";
import { parseAddress } from "../parse/parseAddress.js";
import type { GlobalOptions } from "../types.js";

type InitOptions = {
  network?: string;
  chain?: string;
  rpc?: string[];
  deployBlock?: string;
  accountSource?: string;
  portal?: string;
  force?: boolean;
};

/**
 * `keytrail init`: writes keytrail.config.json (network, chain id, RPC URLs, ledger, account
 * source). Secrets are never written: the account source only says where the key comes from.
 *
 * @param program - the root command.
 * @example
 * registerInitCommand(program);
 */
export function registerInitCommand(program: Command): void {
  const cmd = program
    .command("init")
    .description("write keytrail.config.json (network, chain id, RPC URLs, ledger given with --ledger, account source)")
    .option("--network <name>", "network name shown in messages", "localhost")
    .option("--chain <id>", "chain id the config is for (commands refuse another chain)")
    .option("--rpc <url...>", "JSON-RPC URL(s), tried in order", ["http://127.0.0.1:8545"])
    .option("--deploy-block <n>", "block the ledger was deployed in (log scans start there; default 0)")
    .option("--account-source <source>", "env | keystore:FILE | test:N", undefined)
    .option("--portal <url>", "portal base URL used in sealed key URLs")
    .option("--force", "overwrite an existing config file")
    .action((opts: InitOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions & InitOptions>();
      const out = createOutput(g);
      const path = resolve(g.config ?? CONFIG_FILE);
      if (existsSync(path) && !opts.force)
        throw new CliUsageError(`Config file ${path} already exists; pass --force to overwrite it.`);
      const raw: Record<string, unknown> = { network: opts.network, rpcUrls: opts.rpc };
      if (opts.chain !== undefined) {
        const n = Number(opts.chain);
        if (!Number.isInteger(n) || n <= 0)
          throw new CliUsageError(
            `--chain ${JSON.stringify(opts.chain)} is not a chain id: expected a positive integer.`,
          );
        raw.chainId = n;
      }
      // --ledger is the global option (the same flag every command takes); init records it.
      if (g.ledger) raw.ledger = parseAddress(g.ledger, "--ledger");
      if (opts.deployBlock !== undefined) {
        if (!/^\d+$/.test(opts.deployBlock))
          throw new CliUsageError(`--deploy-block ${JSON.stringify(opts.deployBlock)} is not a block number.`);
        raw.deployBlock = Number(opts.deployBlock);
      }
      if (opts.accountSource) raw.account = parseAccountSource(opts.accountSource);
      if (opts.portal) raw.portalBase = opts.portal.replace(/\/+$/, "");
      const parsed = configSchema.safeParse(raw);
      if (!parsed.success)
        throw new CliUsageError(
          `Invalid init options: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}.`,
        );
      const config: KeytrailConfig = parsed.data;
      writeFileAtomic(path, `${toJson(config)}\n`);
      out.info(`wrote ${g.config ?? CONFIG_FILE}`);
      out.result(toJson(config));
    });
  addExamples(
    cmd,
    "keytrail init --chain 31337 --rpc http://127.0.0.1:8545 --account-source test:0",
    "keytrail init --network base-sepolia --chain 84532 --rpc https://rpc.example --ledger 0x5FbD…0aa3 --deploy-block 18400211 --account-source keystore:supplier.json --force",
  );
}

function parseAccountSource(text: string): AccountSource {
  if (text === "env") return { source: "env", variable: "KEYTRAIL_PRIVATE_KEY" };
  const ks = /^keystore:(.+)$/.exec(text);
  if (ks) return { source: "keystore", path: ks[1]! };
  const t = /^test:(\d+)$/.exec(text);
  if (t) return { source: "test", index: Number(t[1]) };
  throw new CliUsageError(
    `--account-source ${JSON.stringify(text)} is not an account source: expected env, keystore:FILE or test:N.`,
  );
}
