import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** Foundry's anvil, as installed by @foundry-rs/anvil. */
export const ANVIL = join(ROOT, "node_modules", ".bin", "anvil");

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      const port = typeof a === "object" && a ? a.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** A running anvil node. */
export type Anvil = { url: string; port: number; process: ChildProcess; stop(): Promise<void> };

/**
 * Starts anvil on a free port (chain 31337, Hardhat's default accounts), mining a block every
 * `blockTime` seconds (automine when 0), and waits until it answers.
 *
 * @param options.blockTime - seconds between blocks (default 1).
 * @returns the node.
 * @example
 * const anvil = await startAnvil({ blockTime: 2 });
 */
export async function startAnvil(options: { blockTime?: number; extraArgs?: string[] } = {}): Promise<Anvil> {
  const port = await freePort();
  const args = ["--port", String(port), "--host", "127.0.0.1", "--silent", "--accounts", "20"];
  if ((options.blockTime ?? 1) > 0) args.push("--block-time", String(options.blockTime ?? 1));
  args.push(...(options.extraArgs ?? []));
  const child = spawn(process.execPath, [ANVIL, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`anvil did not start on port ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    process: child,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once("exit", () => res());
        child.kill("SIGTERM");
      }),
  };
}
