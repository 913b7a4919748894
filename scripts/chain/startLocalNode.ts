import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./freePort.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A running `hardhat node` on 127.0.0.1. */
export type LocalNode = { url: string; port: number; stop(): Promise<void> };

/** Parameters of {@link startLocalNode}. */
export type StartLocalNodeParameters = {
  /** Port to use; default a free one (8545 when free and `preferDefaultPort`). */
  port?: number;
  /** Try 8545 first. */
  preferDefaultPort?: boolean;
  /** Chain id to serve (default Hardhat's 31337). */
  chainId?: number;
};

/**
 * Starts `hardhat node` (Hardhat's EVM over JSON-RPC) on 127.0.0.1 and resolves once it serves.
 *
 * @param parameters - port choice.
 * @returns the node; call `stop()` when done.
 * @example
 * const node = await startLocalNode({ preferDefaultPort: true });
 */
export async function startLocalNode(parameters: StartLocalNodeParameters = {}): Promise<LocalNode> {
  const port = parameters.port ?? (await freePort(parameters.preferDefaultPort ? 8545 : undefined));
  const require = createRequire(import.meta.url);
  const cli = join(dirname(require.resolve("hardhat/package.json")), "dist", "src", "cli.js");
  const child: ChildProcess = spawn(
    process.execPath,
    [
      cli,
      "node",
      "--hostname",
      "127.0.0.1",
      "--port",
      String(port),
      ...(parameters.chainId ? ["--chain-id", String(parameters.chainId)] : []),
    ],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    },
  );
  return waitUntilServing(child, { ready: "Started HTTP", label: `hardhat node on 127.0.0.1:${port}`, port });
}

/**
 * Resolves once a spawned node prints `ready` on stdout (rejects with its log when it exits first),
 * then drains its output; `stop()` sends SIGTERM and waits for the exit. Shared by the node starters.
 *
 * @param child - the spawned node (stdout and stderr piped).
 * @param options.ready - text its stdout prints once it serves.
 * @param options.label - how errors name it.
 * @param options.port - the port it serves on (127.0.0.1).
 * @returns the node.
 */
export async function waitUntilServing(
  child: ChildProcess,
  options: { ready: string; label: string; port: number },
): Promise<LocalNode> {
  const { ready, label, port } = options;
  let log = "";
  await new Promise<void>((res, rej) => {
    child.stdout!.on("data", (b: Buffer) => {
      log += b.toString();
      if (log.includes(ready)) res();
    });
    child.stderr!.on("data", (b: Buffer) => (log += b.toString()));
    child.once("exit", (code) => rej(new Error(`${label} exited (${code}) before serving:\n${log.slice(-2000)}`)));
  });
  child.stdout!.removeAllListeners("data");
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once("exit", () => res());
        child.kill("SIGTERM");
      }),
  };
}
