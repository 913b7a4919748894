import type { Command } from "commander";

/**
 * `keytrail verify <url|payload>` (wired when lib/verify lands).
 *
 * @param program - the root command.
 * @example
 * registerVerifyCommand(program);
 */
export function registerVerifyCommand(program: Command): void {
  program.command("verify <input>").description("verify a key's QR payload or link").option("--json");
}
