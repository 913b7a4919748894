import type { Address, PublicClient } from "viem";
import type { LedgerEvent, LedgerSnapshot, LedgerState } from "../lib/state/types.js";
import { AuditOptionError } from "./errors.js";
import { buildAuditReport, type BuildAuditReportParameters } from "./report/buildAuditReport.js";
import { fetchLedgerEvents } from "./replay/fetchLedgerEvents.js";
import { findDeploymentBlock } from "./replay/findDeploymentBlock.js";
import { readIndexerState, type IndexerSource } from "./replay/readIndexerState.js";
import { compareSnapshots } from "./replay/compareSnapshots.js";
import { toSnapshotV1 } from "../lib/state/v1/toSnapshotV1.js";
import { readSnapshotFromApi } from "./replay/readSnapshotFromApi.js";
import type { AuditReport } from "../lib/formats/auditReport.js";
import { createGasFunding, partyAccountsOf } from "./funding/createGasFunding.js";

/** Parameters of {@link runAudit}. */
export type RunAuditParameters = Omit<BuildAuditReportParameters, "chain" | "replay" | "indexer"> & {
  ledger: Address;
  /** First block to replay (default: the ledger's deployment block, found with eth_getCode). */
  fromBlock?: bigint;
  /** Last block (default: the indexer's cursor when comparing, else the head). */
  toBlock?: bigint;
  /** Indexer to compare with. */
  indexer?: IndexerSource;
  /**
   * Read who paid each party account's gas (audit/funding, docs/AUDIT.md "Gas funding") and link
   * parties with the same funder (linked-circular-flow, shared-funder). Costs one full-block read per
   * block from `fromBlock` (default the replay's first block) while any party is unresolved, cached.
   */
  gasFundingScan?: { fromBlock?: bigint; cachePath?: string; maxBlocks?: number };
  /** eth_getLogs block span (default 5,000). */
  chunkSize?: bigint;
  onProgress?: (line: string) => void;
};

/** What {@link runAudit} returns. */
export type RunAuditReturnType = {
  report: AuditReport;
  events: LedgerEvent[];
  state: LedgerState;
  snapshot: LedgerSnapshot;
};

/**
 * The regulator's audit: replays every ledger event from the chain alone (raw logs, no indexer
 * database), rebuilds state with lib/state, computes the state digest, runs the rules, computes
 * scorecards, and — when an indexer is given — compares its state with the replay at the
 * indexer's block and names the first divergence.
 *
 * @param client A viem public client of the chain.
 * @param parameters Ledger, block range, indexer, thresholds, period.
 * @returns The report and the replayed events, state and snapshot (for exports).
 * @example
 * const { report } = await runAudit(client, { ledger, indexer: { kind: "db", dataDir: ".keytrail/db" } });
 * console.log(report.digest, report.indexer?.match);
 */
export async function runAudit(client: PublicClient, parameters: RunAuditParameters): Promise<RunAuditReturnType> {
  const log = parameters.onProgress ?? (() => undefined);
  const indexer = parameters.indexer ? await readIndexerState(parameters.indexer) : null;
  if (indexer) log(`indexer: ${indexer.label} at block ${indexer.block}`);
  const head = await client.getBlockNumber();
  const toBlock = parameters.toBlock ?? indexer?.block ?? head;
  if (toBlock > head)
    throw new AuditOptionError(`Block ${toBlock} is past the chain head ${head}.`, {
      details: "Lower --to-block, or check that the indexer follows this chain.",
    });
  const fromBlock = parameters.fromBlock ?? (await findDeploymentBlock(client, { ledger: parameters.ledger, toBlock }));
  if (fromBlock > toBlock) throw new AuditOptionError(`--from-block ${fromBlock} is after the last block ${toBlock}.`);
  log(`replaying ledger ${parameters.ledger} blocks ${fromBlock}..${toBlock}`);
  const t0 = performance.now();
  const { events, rpcCalls, ledgerVersion } = await fetchLedgerEvents(client, {
    ledger: parameters.ledger,
    fromBlock,
    toBlock,
    ...(parameters.chunkSize === undefined ? {} : { chunkSize: parameters.chunkSize }),
    onProgress: (p) => log(`  logs to block ${p.toBlock}: ${p.fetched}`),
  });
  let gasFunding = parameters.gasFunding;
  if (parameters.gasFundingScan) {
    const scan = parameters.gasFundingScan;
    const index = await createGasFunding(client, {
      fromBlock: scan.fromBlock ?? fromBlock,
      ...(scan.cachePath ? { cachePath: scan.cachePath } : {}),
      ...(scan.maxBlocks ? { maxBlocks: scan.maxBlocks } : {}),
      onProgress: log,
    });
    const accounts = partyAccountsOf(events);
    const r = await index.update(accounts, toBlock);
    log(
      `gas funding: ${accounts.length - r.unresolved.length} of ${accounts.length} party accounts funded in range ` +
        `(${r.blocksRead} blocks read)`,
    );
    gasFunding = index.sources;
  }
  const block = await client.getBlock({ blockNumber: toBlock });
  const chainId = await client.getChainId();
  const seconds = (performance.now() - t0) / 1000;
  const { report, state, snapshot } = buildAuditReport(events, {
    ...parameters,
    ...(gasFunding ? { gasFunding } : {}),
    chain: {
      chainId,
      ledger: parameters.ledger,
      fromBlock,
      toBlock,
      blockHash: block.hash,
      blockTimestamp: block.timestamp,
    },
    replay: { rpcCalls: rpcCalls + 3, seconds },
    indexer,
    ledgerVersion: ledgerVersion ?? 2,
  });
  // Only the API's digest was read: when it differs, read the API's full state to name the divergence.
  if (report.indexer && !report.indexer.match && parameters.indexer?.kind === "api") {
    const api = await readSnapshotFromApi(parameters.indexer.url);
    if (api.block === BigInt(report.indexer.block)) {
      const c = compareSnapshots(ledgerVersion === 1 ? toSnapshotV1(state) : snapshot, api.snapshot);
      report.indexer = {
        ...report.indexer,
        firstDivergence: c.firstDivergence ?? report.indexer.firstDivergence,
        differences: Math.max(c.differences, 1),
        snapshotAvailable: true,
      };
    }
  }
  return { report, events, state, snapshot };
}
