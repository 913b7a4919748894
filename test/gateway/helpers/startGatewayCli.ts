import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const KEYTRAIL = join(ROOT, "scripts", "keytrail.mjs");

/** A `keytrail gateway` child process. */
export type GatewayProcess = { url: string; child: ChildProcess; output: () => string };

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("KEYTRAIL_") && !k.startsWith("VITEST") && k !== "NODE_OPTIONS" && k !== "DATABASE_URL")
      out[k] = v;
  return { ...out, FORCE_COLOR: "0", ...extra };
}

/**
 * Starts `keytrail gateway` with the given arguments and waits for its "listening" line.
 *
 * @param args - the command's arguments after `gateway`.
 * @param options - working folder and extra environment.
 * @returns the process and its URL.
 * @example
 * const gw = await startGatewayCli(["--rpc", url, "--ledger", ledger, "--account", "1", "--port", "0"], { cwd });
 */
export async function startGatewayCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [KEYTRAIL, "gateway", ...args], {
    cwd: options.cwd,
    env: env(options.env ?? {}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (b: Buffer) => (output += b.toString()));
  const url = await new Promise<string>((res, rej) => {
    let stdout = "";
    const timer = setTimeout(() => rej(new Error(`gateway did not start within 60 s:\n${output}`)), 60_000);
    child.stdout!.on("data", (b: Buffer) => {
      stdout += b.toString();
      output += b.toString();
      const m = /listening on (http:\/\/[^/\s]+)\//.exec(stdout);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`gateway exited (${code}) before listening:\n${output}`));
    });
  });
  return { url, child, output: () => output };
}

/**
 * Runs `keytrail gateway …` to the end (e.g. `--add-client`) and returns its stdout.
 *
 * @param args - the command's arguments after `gateway`.
 * @param options - working folder.
 * @returns stdout, trimmed.
 * @example
 * const apiKey = await runGatewayCli(["--add-client", "shop-1", "--data", dir], { cwd });
 */
export function runGatewayCli(args: readonly string[], options: { cwd: string }): Promise<string> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [KEYTRAIL, "gateway", ...args], { cwd: options.cwd, env: env({}) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => (code === 0 ? res(stdout.trim()) : rej(new Error(`exit ${code}: ${stderr}`))));
  });
}
