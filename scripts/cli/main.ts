import { Command, CommanderError } from "commander";
import { BaseError } from "../../lib/errors/BaseError.js";
import { commandRegistry } from "./commands/registry.js";

/**
 * Runs the keytrail CLI. Exit codes: 0 ok, 1 failure, 2 usage error; 130 when interrupted
 * (re-running the same command resumes).
 *
 * @param argv - process.argv.
 * @returns the exit code.
 * @example
 * process.exit(await main(process.argv));
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("keytrail")
    .description("KeyTrail: seal card-key batches, anchor them on chain, move custody, revoke, redeem and verify.")
    .option("--config <file>", "config file (default ./keytrail.config.json, or KEYTRAIL_CONFIG)")
    .option("--rpc-url <url>", "JSON-RPC URL (overrides KEYTRAIL_RPC_URL and the config)")
    .option("--ledger <address>", "ledger contract address (overrides KEYTRAIL_LEDGER, the config and the deployment record)")
    .option("--chain-id <id>", "expected chain id (refuses to act on another chain)")
    .option("--account <n>", "use the local chain's N-th test account (chain 31337 only)")
    .option("--keystore <file>", "sign with an encrypted JSON keystore (password: KEYTRAIL_KEYSTORE_PASSWORD or a prompt)")
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
  for (const register of commandRegistry) register(program);

  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nkeytrail: interrupted (${signal}). Nothing half-done is presented as complete; re-run the same command to resume.\n`);
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    await program.parseAsync([...argv]);
    // A command that ran to the end but reports a negative outcome (verify: not genuine) sets exitCode.
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help" || e.exitCode === 0) return 0;
      return 2;
    }
    return reportError(e);
  }
}

function reportError(e: unknown): number {
  if (e instanceof BaseError) {
    process.stderr.write(`error: ${e.shortMessage}\n`);
    if (e.details) process.stderr.write(`${e.details}\n`);
    if (process.env.KEYTRAIL_DEBUG && e.cause) process.stderr.write(`${String((e.cause as Error).stack ?? e.cause)}\n`);
    return (e as { exitCode?: number }).exitCode ?? 1;
  }
  process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
  if (process.env.KEYTRAIL_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? ""}\n`);
  return 1;
}
