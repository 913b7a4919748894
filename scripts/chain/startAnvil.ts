import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { freePort } from "./freePort.js";
import { waitUntilServing, type LocalNode } from "./startLocalNode.js";

/** Parameters of {@link startAnvil}. */
export type StartAnvilParameters = {
  /** Port to use; default a free one. */
  port?: number;
  /** Seconds between blocks (interval mining, like an L2); default automine. */
  blockTime?: number;
  /** Chain id to serve (default anvil's 31337). */
  chainId?: number;
};

/**
 * Starts Foundry's anvil (from the npm package `@foundry-rs/anvil`) on 127.0.0.1 and resolves once
 * it serves JSON-RPC. Same default accounts as Hardhat's node. With `blockTime` it mines on an
 * interval, so transactions wait in the pool as on a real L2.
 *
 * @param parameters - port, block time, chain id.
 * @returns the node; call `stop()` when done.
 * @example
 * const node = await startAnvil({ blockTime: 2 });
 */
export async function startAnvil(parameters: StartAnvilParameters = {}): Promise<LocalNode> {
  const port = parameters.port ?? (await freePort());
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve("@foundry-rs/anvil/package.json")), "bin.mjs");
  const child: ChildProcess = spawn(
    process.execPath,
    [
      bin,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      ...(parameters.blockTime ? ["--block-time", String(parameters.blockTime)] : []),
      ...(parameters.chainId ? ["--chain-id", String(parameters.chainId)] : []),
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
  );
  return waitUntilServing(child, { ready: "Listening on", label: `anvil on 127.0.0.1:${port}`, port });
}
