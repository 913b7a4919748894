import { pickRpcUrls } from "../../../lib/config/pickRpcUrls.js";
import { expectedChainId } from "../config/expectedChainId.js";
import { loadConfig, type LoadedConfig } from "../config/loadConfig.js";
import { CliError } from "../errors.js";
import type { GlobalOptions } from "../types.js";
import { createClients, type Clients } from "./createClients.js";

/** A connected chain plus the config it was resolved from. */
export type ConnectedChain = Clients & { loaded: LoadedConfig; rpcUrl: string };

/**
 * Loads the config, picks the RPC URLs (--rpc-url > KEYTRAIL_RPC_URL > config), connects, and
 * checks the chain id against --chain-id or the config's chainId, naming both on a mismatch.
 *
 * @param options - the global command-line options.
 * @param parameters - `rpcFlag`: the flag that gave `options.rpcUrl` when not --rpc-url (named in errors);
 *   `knownChainId`: the first RPC's chain id when the caller has just asked it.
 * @returns the {@link ConnectedChain}.
 * @example
 * const { publicClient, chainId } = await connectChain(cmd.optsWithGlobals());
 */
export async function connectChain(
  options: GlobalOptions,
  parameters: { rpcFlag?: string | undefined; knownChainId?: number | undefined } = {},
): Promise<ConnectedChain> {
  const loaded = loadConfig(options.config);
  const { config } = loaded;
  const picked = pickRpcUrls({
    flag: options.rpcUrl,
    environment: process.env.KEYTRAIL_RPC_URL,
    config: config.rpcUrls,
  });
  const rpcUrls = picked.urls;
  const source =
    picked.source === "flag"
      ? `the URL given with ${parameters.rpcFlag ?? "--rpc-url"}`
      : picked.source === "environment"
        ? "KEYTRAIL_RPC_URL"
        : loaded.exists
          ? `rpcUrls in ${loaded.path}`
          : "the default URL (there is no --rpc-url, KEYTRAIL_RPC_URL or keytrail.config.json)";
  const clients = await createClients({
    rpcUrls,
    network: config.network,
    source,
    knownChainId: parameters.knownChainId,
  });
  const rpcUrl = rpcUrls.join(", ");
  const expected = expectedChainId(options, config);
  if (expected !== undefined && expected !== clients.chainId) {
    throw new CliError(
      `RPC ${rpcUrl} serves chain id ${clients.chainId}, but ${options.chainId !== undefined ? "--chain-id" : loaded.path} expects chain id ${expected}.`,
      {
        details: "Point --rpc-url (or KEYTRAIL_RPC_URL) at the right network, or fix chainId in the config.",
      },
    );
  }
  return { ...clients, loaded, rpcUrl };
}
