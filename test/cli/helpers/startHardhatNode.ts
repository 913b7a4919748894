import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** A running `hardhat node` on 127.0.0.1. */
export type HardhatNode = { url: string; port: number; stop(): Promise<void> };

/**
 * A free TCP port on 127.0.0.1 (bound, then released).
 *
 * @returns the port.
 * @example
 * const port = await freePort();
 */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

/**
 * Starts `hardhat node` on a free port of 127.0.0.1 and resolves once it serves JSON-RPC.
 *
 * @param options.chainId - chain id to serve (default Hardhat's 31337).
 * @returns the node; call `stop()` in afterAll.
 * @example
 * const node = await startHardhatNode();
 */
export async function startHardhatNode(options: { chainId?: number } = {}): Promise<HardhatNode> {
  const port = await freePort();
  const args = ["node", "--hostname", "127.0.0.1", "--port", String(port), ...(options.chainId ? ["--chain-id", String(options.chainId)] : [])];
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  let log = "";
  await new Promise<void>((res, rej) => {
    const onData = (b: Buffer) => {
      log += b.toString();
      if (log.includes("Started HTTP")) res();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (b: Buffer) => (log += b.toString()));
    child.once("exit", (code) => rej(new Error(`hardhat node exited (${code}) before serving:\n${log}`)));
  });
  child.stdout!.removeAllListeners("data");
  child.stdout!.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once("exit", () => res());
        child.kill("SIGTERM");
      }),
  };
}
