import { Command } from "commander";
import { vi } from "vitest";
import { registerAuditCommand } from "../../../scripts/cli/commands/audit.js";

/**
 * Runs `keytrail …args` with the root program's global options and the audit command, capturing stdout
 * (stderr is silenced). The process exit code is restored afterwards; a parse error rejects.
 *
 * @param args - the arguments after `keytrail` (e.g. `["audit", "--rpc", url, ...]`)
 * @returns what was written to stdout, and the exit code the command set (undefined if none)
 * @example
 * const { stdout, exitCode } = await runAuditCli(["audit", "--rpc", rpc.url, "--ledger", ledger, "--json"]);
 */
export async function runAuditCli(args: string[]): Promise<{ stdout: string; exitCode: number | undefined }> {
  const program = new Command("keytrail")
    .option("--rpc-url <url>")
    .option("--ledger <address>")
    .option("--config <file>")
    .option("--chain-id <id>")
    .option("-q, --quiet")
    .exitOverride();
  registerAuditCommand(program);
  let stdout = "";
  const w = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  const before = process.exitCode;
  try {
    await program.parseAsync(["node", "keytrail", ...args]);
    return { stdout, exitCode: process.exitCode === before ? undefined : (process.exitCode as number | undefined) };
  } finally {
    process.exitCode = before;
    w.mockRestore();
    e.mockRestore();
  }
}
