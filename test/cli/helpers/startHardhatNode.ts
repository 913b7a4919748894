import { freePort } from "../../../scripts/chain/freePort.js";
import { startLocalNode, type LocalNode } from "../../../scripts/chain/startLocalNode.js";

export { freePort };

/** A running `hardhat node` on 127.0.0.1. */
export type HardhatNode = LocalNode;

/**
 * Starts `hardhat node` on a free port of 127.0.0.1 and resolves once it serves JSON-RPC.
 *
 * @param options - chain id to serve (default 31337).
 * @returns the node; call `stop()` in afterAll.
 * @example
 * const node = await startHardhatNode();
 */
export function startHardhatNode(options: { chainId?: number } = {}): Promise<HardhatNode> {
  return startLocalNode(options);
}
