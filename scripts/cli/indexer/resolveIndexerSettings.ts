import type { Address } from "viem";
import { pickRpcUrls } from "../../../lib/config/pickRpcUrls.js";
import { openLedger } from "../chain/openLedger.js";
import { CliUsageError } from "../errors.js";
import type { GlobalOptions } from "../types.js";
import { openStore } from "../../../indexer/store/openStore.js";
import type { Store } from "../../../indexer/store/types.js";

/** Options shared by `keytrail index`, `serve` and `export`. */
export type IndexerCliOptions = {
  db?: string;
  rpc?: string[];
  fromBlock?: string;
  finality?: string;
  pollMs?: string;
  ws?: string;
};

/** What the indexer commands resolved: RPC URLs, ledger, start block, chain id. */
export type IndexerSettings = {
  rpcUrls: string[];
  ledger: Address;
  startBlock: number;
  chainId: number;
  finalityDepth: number | undefined;
  pollIntervalMs: number | undefined;
  wsUrl: string | undefined;
};

const int = (flag: string, v: string | undefined, min: number): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new CliUsageError(`${flag} ${JSON.stringify(v)} is not valid: expected a whole number >= ${min}.`);
  return Number(v);
};

/**
 * Resolves the indexer's chain settings the same way other commands do (flags > KEYTRAIL_*
 * environment > keytrail.config.json > deployment record); `--rpc` may repeat for fallbacks.
 *
 * @param g - global options.
 * @param o - indexer options.
 * @returns the settings.
 * @example
 * const s = await resolveIndexerSettings(command.optsWithGlobals(), o);
 */
export async function resolveIndexerSettings(g: GlobalOptions, o: IndexerCliOptions): Promise<IndexerSettings> {
  if (o.ws !== undefined && o.ws !== "auto" && o.ws !== "off" && !/^wss?:\/\/[^\s/]+/.test(o.ws))
    throw new CliUsageError(`--ws ${JSON.stringify(o.ws)} is not valid: expected auto, off, or a ws:// or wss:// URL.`);
  const rpcList = o.rpc?.length ? o.rpc : undefined;
  const ctx = await openLedger(
    { ...g, rpcUrl: rpcList?.[0] ?? g.rpcUrl },
    { signer: false, rpcFlag: rpcList ? "--rpc" : undefined },
  );
  const rpcUrls = pickRpcUrls({
    flag: rpcList ?? g.rpcUrl,
    environment: process.env.KEYTRAIL_RPC_URL,
    config: ctx.loaded.config.rpcUrls,
  }).urls;
  const fromBlock = int("--from-block", o.fromBlock, 0);
  return {
    rpcUrls,
    ledger: ctx.ledger.toLowerCase() as Address,
    startBlock: fromBlock ?? Number(ctx.deployBlock),
    chainId: ctx.chainId,
    finalityDepth: int("--finality", o.finality, 1),
    pollIntervalMs: int("--poll-ms", o.pollMs, 10),
    wsUrl: o.ws,
  };
}

/**
 * Opens the indexer's store: PostgreSQL when DATABASE_URL is set, else PGlite at `--db`
 * (default .keytrail/db). Logs the choice and the reason to stderr.
 *
 * @param o - indexer options.
 * @param log - where the choice is logged.
 * @param options.worker - PGlite on a worker thread (a long-running server: `serve`).
 * @returns the store.
 * @example
 * const store = await openIndexerStore(o, out.info);
 */
export async function openIndexerStore(
  o: IndexerCliOptions,
  log: (line: string) => void,
  options: { worker?: boolean } = {},
): Promise<Store> {
  return await openStore({
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: o.db ?? ".keytrail/db",
    log,
    worker: options.worker,
  });
}
