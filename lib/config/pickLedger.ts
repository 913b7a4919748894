import type { SettingSource } from "./settingSources.js";

/** The candidate ledger addresses, one per source of {@link SettingSource}. */
export type LedgerSources = {
  /** `--ledger`. */
  flag?: string | undefined;
  /** `KEYTRAIL_LEDGER`. */
  environment?: string | undefined;
  /** keytrail.config.json: `ledger`, used only when its `chainId` is unset or is the chain in use. */
  config: { ledger?: string | undefined; chainId?: number | undefined };
  /** The chain in use (from the RPC, `--chain-id` or the config), when known. */
  chainId?: number | undefined;
  /** The deployment record's ledger for that chain, or a function reading it (called only when needed). */
  deployment?: string | (() => string | undefined) | undefined;
};

/**
 * Picks the ledger address text by the shared precedence (flag > environment > config >
 * deployment record; lib/config/settingSources.ts). The text is returned unchecked: the caller
 * validates it and names the source in its error.
 *
 * @param sources - see {@link LedgerSources}.
 * @returns the address text and its source, or undefined when no source holds one.
 * @example
 * pickLedger({ flag: o.ledger, environment: process.env.KEYTRAIL_LEDGER, config, chainId, deployment: rec?.ledger })
 */
export function pickLedger(sources: LedgerSources): { ledger: string; source: SettingSource } | undefined {
  if (sources.flag) return { ledger: sources.flag, source: "flag" };
  if (sources.environment) return { ledger: sources.environment, source: "environment" };
  const c = sources.config;
  if (c.ledger && (c.chainId === undefined || sources.chainId === undefined || c.chainId === sources.chainId))
    return { ledger: c.ledger, source: "config" };
  const deployment = typeof sources.deployment === "function" ? sources.deployment() : sources.deployment;
  if (deployment) return { ledger: deployment, source: "deployment" };
  return undefined;
}
