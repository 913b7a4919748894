import { CommanderError, Help } from "commander";
import type { Command } from "commander";
import { BaseError } from "../../lib/errors/BaseError.js";
import { commandRegistry } from "./commands/registry.js";
import { createProgram } from "./createProgram.js";
import type { CommandSummary } from "./describeCommands.js";

/** Options of {@link main}. */
export type MainOptions = {
  /** The top-level commands (from describeCommands): `keytrail --help` then loads no command module, `keytrail <command>` that command's only. */
  commands?: readonly CommandSummary[];
};

/**
 * Runs the keytrail CLI. Exit codes: 0 ok, 1 failure, 2 usage error; 130 when interrupted
 * (re-running the same command resumes). With `options.commands`, only the named command's
 * modules load (none for `keytrail --help`); without, every command's.
 *
 * @param argv - process.argv.
 * @param options - see {@link MainOptions}.
 * @returns the exit code.
 * @example
 * process.exit(await main(process.argv));
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const program = createProgram();
  const rest = argv.slice(2);
  const named = options.commands && commandNamed(program, rest);
  const summary = named && options.commands!.find((c) => c.name === named);
  if (options.commands && rest.length === 1 && (rest[0] === "--help" || rest[0] === "-h"))
    addSummaries(program, options.commands);
  else if (summary && commandRegistry[summary.entry]) (await commandRegistry[summary.entry]!())(program);
  else for (const register of await Promise.all(commandRegistry.map((load) => load()))) register(program);

  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(
      `\nkeytrail: interrupted (${signal}). Nothing half-done is presented as complete; re-run the same command to resume.\n`,
    );
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
      if (
        e.code === "commander.helpDisplayed" ||
        e.code === "commander.version" ||
        e.code === "commander.help" ||
        e.exitCode === 0
      )
        return 0;
      return 2;
    }
    return reportError(e);
  }
}

/** The top-level command the arguments name (the first word after the global options), if any. */
function commandNamed(program: Command, args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") return undefined;
    if (!arg.startsWith("-")) return arg;
    const option = program.options.find((o) => o.long === arg || o.short === arg);
    if (option && (option.required || option.optional)) i++; // its value
  }
  return undefined;
}

/** Adds each top-level command by name and description only, for the root help. */
function addSummaries(program: Command, commands: readonly CommandSummary[]): void {
  const terms = new Map(commands.map((c) => [c.name, c.term]));
  for (const c of commands) program.command(c.name).description(c.description);
  const standard = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? standard.subcommandTerm(cmd) });
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
