import { readFileSync } from "node:fs";
import { Command } from "commander";

/**
 * The root `keytrail` command with its global options, `--version` and the closing help text,
 * before any command is added (see commands/registry.ts).
 *
 * @returns the root command.
 * @example
 * const program = createProgram();
 * for (const register of commandRegistry) register(program);
 */
export function createProgram(): Command {
  const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return new Command("keytrail")
    .description("KeyTrail: seal card-key batches, anchor them on chain, move custody, revoke, redeem and verify.")
    .version(version, "-V, --version", "print the version")
    .option("--config <file>", "config file (default ./keytrail.config.json, or KEYTRAIL_CONFIG)")
    .option("--rpc-url <url>", "JSON-RPC URL (overrides KEYTRAIL_RPC_URL and the config)")
    .option(
      "--ledger <address>",
      "ledger contract address (overrides KEYTRAIL_LEDGER, the config and the deployment record)",
    )
    .option("--chain-id <id>", "expected chain id (refuses to act on another chain)")
    .option("--account <n>", "use the local chain's N-th test account (chain 31337 only)")
    .option(
      "--keystore <file>",
      "sign with an encrypted JSON keystore (password: KEYTRAIL_KEYSTORE_PASSWORD or a prompt)",
    )
    .option("-q, --quiet", "no progress bars or notes; results and errors only")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .addHelpText(
      "after",
      `
Signing account: --account N (local chain), --keystore FILE, or KEYTRAIL_PRIVATE_KEY; never printed.
Ranges are inclusive: --range 0-9999 is 10,000 keys.

Example:
  $ keytrail deploy --account 0
  $ keytrail batch seal keys.csv --label 2026-11-A --product 6901234567892 --face 50 --currency CNY --expires 2027-12-31 --out out/2026-11-A
  $ keytrail batch anchor out/2026-11-A`,
    );
}
