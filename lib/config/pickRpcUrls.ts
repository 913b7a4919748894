import type { SettingSource } from "./settingSources.js";

/** The candidate RPC settings, one per source of {@link SettingSource} (no deployment record for RPC). */
export type RpcUrlSources = {
  /** `--rpc-url` (or the first of the indexer's `--rpc` list). */
  flag?: readonly string[] | string | undefined;
  /** `KEYTRAIL_RPC_URL`. */
  environment?: string | undefined;
  /** keytrail.config.json `rpcUrls`. */
  config: readonly string[];
};

/**
 * Picks the RPC URL(s) by the shared precedence (flag > environment > config; lib/config/settingSources.ts).
 *
 * @param sources - see {@link RpcUrlSources}.
 * @returns the URLs, in order of preference, and where they came from.
 * @example
 * pickRpcUrls({ flag: undefined, environment: process.env.KEYTRAIL_RPC_URL, config: ["http://127.0.0.1:8545"] })
 */
export function pickRpcUrls(sources: RpcUrlSources): { urls: string[]; source: SettingSource } {
  const flag = typeof sources.flag === "string" ? (sources.flag ? [sources.flag] : []) : [...(sources.flag ?? [])];
  if (flag.length) return { urls: flag, source: "flag" };
  if (sources.environment) return { urls: [sources.environment], source: "environment" };
  return { urls: [...sources.config], source: "config" };
}
