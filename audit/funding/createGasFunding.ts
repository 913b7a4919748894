import { readFile } from "node:fs/promises";
import { writeFileDurable } from "../follow/writeFileDurable.js";
import type { Address, Hex, PublicClient } from "viem";
import { AuditOptionError } from "../errors.js";
import type { GasFunding } from "../types.js";

/** Schema id of the gas funding cache file. */
export const GAS_FUNDING_CACHE_SCHEMA = "keytrail.gas-funding/1";

/** Parameters of {@link createGasFunding}. */
export type CreateGasFundingParameters = {
  /** First block scanned for every account (the ledger's deployment block, or earlier). */
  fromBlock: bigint;
  /** A JSON file keeping what was scanned (per account: the last block scanned, the funding found). */
  cachePath?: string;
  /** Blocks read by one `update` at most (default 50,000); the rest is read by the next call. */
  maxBlocks?: number;
  /** Blocks read at once (default 8). */
  concurrency?: number;
  onProgress?: (message: string) => void;
};

/** What {@link createGasFunding} returns. */
export type GasFundingIndex = {
  /** Account (lowercase) -> its first funding found; grows with `update`. */
  readonly sources: ReadonlyMap<Address, GasFunding>;
  /**
   * Finds the first funding of each account not resolved yet, reading blocks up to `toBlock`, and
   * saves the cache. Returns the blocks read and the accounts still without a funding.
   */
  update(accounts: Iterable<Address>, toBlock: bigint): Promise<{ blocksRead: number; unresolved: Address[] }>;
};

type CacheFile = {
  schema: typeof GAS_FUNDING_CACHE_SCHEMA;
  chainId: number;
  fromBlock: number;
  /** Account -> last block scanned for it. */
  scanned: Record<string, number>;
  sources: Record<string, Omit<GasFunding, "value"> & { value: string }>;
};

/**
 * Who paid each party account's gas, read from the chain itself (docs/AUDIT.md, "Gas funding"): the
 * first transaction with value > 0 to the account (a successful one: its receipt is checked) from
 * `fromBlock` on. Plain value transfers leave no log, so this reads blocks with their transactions
 * (`eth_getBlockByNumber`, full): one call per block from the earliest unresolved account's scan
 * front to `toBlock`, once — the cache keeps, per account, how far it was scanned and what was
 * found, and an account stops costing anything once its funding is found. Internal transfers (a
 * contract paying an account) are not seen.
 *
 * @param client A viem public client.
 * @param parameters First block, cache file, block budget per call.
 * @returns The index; call `update` with the party accounts and the last block.
 * @throws AuditOptionError when the cache file is unreadable or of another chain or start block.
 * @example
 * const funding = await createGasFunding(client, { fromBlock: 1n, cachePath: "out/audit/gas-funding.json" });
 * await funding.update(accounts, head);
 * auditEvents(events, { rules: auditRulesV2, gasFunding: funding.sources });
 */
export async function createGasFunding(
  client: PublicClient,
  parameters: CreateGasFundingParameters,
): Promise<GasFundingIndex> {
  const log = parameters.onProgress ?? (() => undefined);
  const fromBlock = Number(parameters.fromBlock);
  const maxBlocks = parameters.maxBlocks ?? 50_000;
  const concurrency = parameters.concurrency ?? 8;
  if (!Number.isSafeInteger(maxBlocks) || maxBlocks < 1)
    throw new AuditOptionError(`The gas funding block budget ${maxBlocks} is not a positive whole number.`);
  const chainId = await client.getChainId();
  const sources = new Map<Address, GasFunding>();
  const scanned = new Map<Address, number>();
  const path = parameters.cachePath;
  if (path) {
    const cache = await readCache(path);
    if (cache) {
      if (cache.chainId !== chainId || cache.fromBlock !== fromBlock)
        throw new AuditOptionError(
          `The gas funding cache ${path} is for chain id ${cache.chainId} from block ${cache.fromBlock}, not chain id ${chainId} from block ${fromBlock}.`,
          { details: "Give another cache file (or delete this one)." },
        );
      for (const [a, n] of Object.entries(cache.scanned)) scanned.set(a.toLowerCase() as Address, n);
      for (const [a, f] of Object.entries(cache.sources))
        sources.set(a.toLowerCase() as Address, { ...f, value: BigInt(f.value) });
    }
  }
  return {
    sources,
    async update(accounts, toBlock) {
      const last = Number(toBlock);
      const want = new Map<Address, number>(); // unresolved account -> last block scanned for it
      for (const raw of accounts) {
        const a = raw.toLowerCase() as Address;
        if (sources.has(a)) continue;
        const front = scanned.get(a) ?? fromBlock - 1;
        if (front < last) want.set(a, front);
      }
      if (want.size === 0) return { blocksRead: 0, unresolved: [] };
      const lo = Math.min(...want.values()) + 1;
      const hi = Math.min(last, lo + maxBlocks - 1);
      if (hi < last)
        log(`gas funding: reading blocks ${lo}..${hi} of ${lo}..${last} (budget ${maxBlocks}); the rest next time`);
      for (let b = lo; b <= hi; b += concurrency) {
        const numbers = Array.from({ length: Math.min(concurrency, hi - b + 1) }, (_, i) => BigInt(b + i));
        const blocks = await Promise.all(
          numbers.map((blockNumber) => client.getBlock({ blockNumber, includeTransactions: true })),
        );
        for (const block of blocks) {
          const n = Number(block.number);
          for (const tx of block.transactions) {
            if (tx.value <= 0n || !tx.to) continue;
            const to = tx.to.toLowerCase() as Address;
            const front = want.get(to);
            if (front === undefined || front >= n || sources.has(to) || tx.from.toLowerCase() === to) continue;
            const receipt = await client.getTransactionReceipt({ hash: tx.hash });
            if (receipt.status !== "success") continue;
            sources.set(to, {
              account: to,
              funder: tx.from.toLowerCase() as Address,
              txHash: tx.hash.toLowerCase() as Hex,
              blockNumber: n,
              timestamp: Number(block.timestamp),
              value: tx.value,
            });
            want.delete(to);
          }
        }
        if (want.size === 0) break;
      }
      for (const a of want.keys()) scanned.set(a, Math.max(scanned.get(a) ?? fromBlock - 1, hi));
      if (path) await writeCache(path, { chainId, fromBlock, scanned, sources });
      return { blocksRead: hi - lo + 1, unresolved: [...want.keys()] };
    },
  };
}

async function readCache(path: string): Promise<CacheFile | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new AuditOptionError(`Cannot read the gas funding cache ${path}.`, { cause: e });
  }
  let c: Partial<CacheFile>;
  try {
    c = JSON.parse(text) as Partial<CacheFile>;
  } catch (e) {
    throw new AuditOptionError(`The gas funding cache ${path} is not JSON.`, { cause: e });
  }
  if (
    c.schema !== GAS_FUNDING_CACHE_SCHEMA ||
    typeof c.chainId !== "number" ||
    typeof c.fromBlock !== "number" ||
    typeof c.scanned !== "object" ||
    typeof c.sources !== "object"
  )
    throw new AuditOptionError(`The gas funding cache ${path} is not a ${GAS_FUNDING_CACHE_SCHEMA} file.`);
  return c as CacheFile;
}

async function writeCache(
  path: string,
  c: { chainId: number; fromBlock: number; scanned: Map<Address, number>; sources: Map<Address, GasFunding> },
): Promise<void> {
  const file: CacheFile = {
    schema: GAS_FUNDING_CACHE_SCHEMA,
    chainId: c.chainId,
    fromBlock: c.fromBlock,
    scanned: Object.fromEntries(c.scanned),
    sources: Object.fromEntries([...c.sources].map(([a, f]) => [a, { ...f, value: f.value.toString() }])),
  };
  await writeFileDurable(
    path,
    JSON.stringify(file) + "\n",
    0o644,
    (e) => new AuditOptionError(`Cannot write the gas funding cache ${path}.`, { cause: e }),
  );
}

/** The party accounts of decoded ledger events (registered, and new accounts of re-keys), lowercase. */
export function partyAccountsOf(events: Iterable<{ eventName: string; args: unknown }>): Address[] {
  const out = new Set<Address>();
  for (const e of events) {
    const a = e.args as { party?: string; newAccount?: string };
    if (e.eventName === "PartyRegistered" && a.party) out.add(a.party.toLowerCase() as Address);
    if (e.eventName === "PartyRekeyed" && a.newAccount) out.add(a.newAccount.toLowerCase() as Address);
  }
  return [...out];
}
