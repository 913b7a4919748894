import type { Command } from "commander";

/**
 * Appends an "Example:" block to a command's --help.
 *
 * @param command - the command.
 * @param lines - example command lines (without the "$ ").
 * @returns the same command.
 * @example
 * addExamples(cmd, "keytrail revoke --batch 0x… --range 0-99 --reason stolen");
 */
export function addExamples(command: Command, ...lines: string[]): Command {
  return command.addHelpText("after", `\nExample:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`);
}
