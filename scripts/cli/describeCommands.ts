import type { Command } from "commander";
import { createProgram } from "./createProgram.js";

/** One top-level command as `keytrail --help` lists it, and the commandRegistry entry that adds it. */
export type CommandSummary = { name: string; term: string; description: string; entry: number };

/**
 * The top-level commands as the root help lists them (name with usage, and description), in
 * order, with the registry entry of each. The CLI bundle stores them next to itself, so
 * `keytrail --help` prints the full list without loading any command's modules, and
 * `keytrail <command>` loads that command's only.
 *
 * @returns the visible top-level commands.
 * @example
 * const summaries = await describeCommands(); // [{ name: "init", term: "init [options]", description: "…", entry: 0 }, …]
 */
export async function describeCommands(): Promise<CommandSummary[]> {
  const program = createProgram();
  const { commandRegistry } = await import("./commands/registry.js");
  const entryOf = new Map<Command, number>();
  for (const [i, load] of commandRegistry.entries()) {
    (await load())(program);
    for (const c of program.commands) if (!entryOf.has(c)) entryOf.set(c, i);
  }
  const help = program.createHelp();
  return help
    .visibleCommands(program)
    .filter((c) => entryOf.has(c))
    .map((c) => ({
      name: c.name(),
      term: help.subcommandTerm(c),
      description: help.subcommandDescription(c),
      entry: entryOf.get(c)!,
    }));
}
