import type { Address, PublicClient } from "viem";

/**
 * The block in which the ledger's code appeared (binary search on eth_getCode), so a replay can
 * start there instead of at genesis. Falls back to 0 when the node cannot answer historical
 * eth_getCode.
 *
 * @param client A viem public client.
 * @param parameters `ledger` address and `toBlock` (the head).
 * @returns The deployment block, or 0n.
 * @example
 * const fromBlock = await findDeploymentBlock(client, { ledger, toBlock: await client.getBlockNumber() });
 */
export async function findDeploymentBlock(
  client: PublicClient,
  parameters: { ledger: Address; toBlock: bigint },
): Promise<bigint> {
  const has = async (n: bigint) => {
    const code = await client.getCode({ address: parameters.ledger, blockNumber: n });
    return code !== undefined && code !== "0x";
  };
  try {
    if (!(await has(parameters.toBlock))) return 0n;
    let lo = 0n;
    let hi = parameters.toBlock;
    while (lo < hi) {
      const mid = (lo + hi) / 2n;
      if (await has(mid)) hi = mid;
      else lo = mid + 1n;
    }
    return lo;
  } catch {
    return 0n;
  }
}
