import { existsSync, readFileSync } from "node:fs";
import { CliError } from "../errors.js";
import { deploymentPath } from "./deploymentPath.js";
import { deploymentRecordSchema, type DeploymentRecord } from "./deploymentRecord.js";

/**
 * Reads `.keytrail/deployments/<chainId>.json` if it exists.
 *
 * @param dir - the folder holding keytrail.config.json.
 * @param chainId - the chain id.
 * @returns the record, or undefined when there is none.
 * @example
 * const rec = readDeployment(".", 31337);
 */
export function readDeployment(dir: string, chainId: number): DeploymentRecord | undefined {
  const file = deploymentPath(dir, chainId);
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CliError(`Deployment record ${file} is not valid JSON: ${(e as Error).message}.`);
  }
  const parsed = deploymentRecordSchema.safeParse(raw);
  if (!parsed.success)
    throw new CliError(
      `Deployment record ${file} is invalid: ${parsed.error.issues.map((i) => i.path.join(".") + ": " + i.message).join("; ")}.`,
    );
  return parsed.data;
}
