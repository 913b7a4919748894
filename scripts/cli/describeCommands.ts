import { createProgram } from "./createProgram.js";

/** One top-level command as `keytrail --help` lists it. */
export type CommandSummary = { name: string; term: string; description: string };

/**
 * The top-level commands as the root help lists them (name with usage, and description), in
 * order. The CLI bundle stores them next to itself, so `keytrail --help` prints the full list
 * without loading every command's modules.
 *
 * @returns the visible top-level commands.
 * @example
 * const summaries = await describeCommands(); // [{ name: "init", term: "init [options]", description: "…" }, …]
 */
export async function describeCommands(): Promise<CommandSummary[]> {
  const program = createProgram();
  const { commandRegistry } = await import("./commands/registry.js");
  for (const register of commandRegistry) register(program);
  const help = program.createHelp();
  return help
    .visibleCommands(program)
    .filter((c) => program.commands.includes(c))
    .map((c) => ({ name: c.name(), term: help.subcommandTerm(c), description: help.subcommandDescription(c) }));
}
