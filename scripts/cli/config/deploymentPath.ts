import { join } from "node:path";

/**
 * The path of a chain's deployment record under a project folder.
 *
 * @param dir - the folder holding keytrail.config.json.
 * @param chainId - the chain id.
 * @returns `<dir>/.keytrail/deployments/<chainId>.json`.
 * @example
 * deploymentPath(".", 31337)
 */
export function deploymentPath(dir: string, chainId: number): string {
  return join(dir, ".keytrail", "deployments", `${chainId}.json`);
}
