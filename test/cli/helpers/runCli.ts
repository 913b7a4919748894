import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** The keytrail entry point. */
export const KEYTRAIL = join(ROOT, "scripts", "keytrail.mjs");

/** What a CLI run printed and returned. */
export type CliResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Options of {@link runCli}. */
export type RunCliOptions = { cwd: string; env?: Record<string, string | undefined> };

function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("KEYTRAIL_") && !k.startsWith("VITEST") && k !== "NODE_OPTIONS") env[k] = v;
  env.FORCE_COLOR = "0";
  for (const [k, v] of Object.entries(extra))
    if (v === undefined) delete env[k];
    else env[k] = v;
  return env;
}

/**
 * Runs `node scripts/keytrail.mjs …` as a child process and collects its output and exit code.
 *
 * @param args - command-line arguments.
 * @param options - working folder and extra environment (KEYTRAIL_* of the test runner are dropped).
 * @returns the {@link CliResult}.
 * @example
 * const r = await runCli(["deploy", "--account", "0"], { cwd });
 */
export function runCli(args: readonly string[], options: RunCliOptions): Promise<CliResult> {
  return new Promise((res) => {
    const child = spawnCli(args, options);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code, signal) => res({ code, signal, stdout, stderr }));
  });
}

/**
 * Starts the CLI without waiting (to interrupt it mid-way).
 *
 * @param args - command-line arguments.
 * @param options - see {@link RunCliOptions}.
 * @returns the child process (stdout and stderr piped).
 * @example
 * const child = spawnCli(["transfer", "--file", "orders.csv"], { cwd });
 */
export function spawnCli(args: readonly string[], options: RunCliOptions): ChildProcess {
  return spawn(process.execPath, [KEYTRAIL, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
}
