import type { GlobalOptions } from "../types.js";
import type { LoadedConfig } from "./loadConfig.js";

/**
 * The chain id a command expects: `--chain-id`, else the config's `chainId`, else undefined.
 *
 * @param options - the global command-line options.
 * @param config - the loaded config's contents.
 * @returns the expected chain id (unchecked: a malformed `--chain-id` gives NaN, which no chain answers).
 * @example
 * expectedChainId({ chainId: "8453" }, {}) // 8453
 */
export function expectedChainId(
  options: Pick<GlobalOptions, "chainId">,
  config: LoadedConfig["config"],
): number | undefined {
  return options.chainId !== undefined ? Number(options.chainId) : config.chainId;
}
