import type { Address, PublicClient } from "viem";
import type { AuditFinding } from "../../lib/formats/auditReport.js";
import type { LedgerEvent } from "../../lib/state/types.js";
import { AuditDecodeError } from "../errors.js";
import { fetchLedgerEvents } from "../replay/fetchLedgerEvents.js";
import {
  auditEvents,
  createAuditSession,
  type AuditEventsParameters,
  type AuditSession,
} from "../rules/auditEvents.js";
import { deliverWebhooks } from "./deliverWebhooks.js";
import { FollowRpcError, FollowStateError } from "./errors.js";
import { FOLLOW_STATE_SCHEMA, readFollowState, writeFollowState, type FollowState } from "./followState.js";

/** Parameters of {@link followAudit}. */
export type FollowAuditParameters = AuditEventsParameters & {
  ledger: Address;
  /** First block of the replay (the ledger's deployment block); a state file's own value wins. */
  fromBlock: bigint;
  /** The state file (created on the first run). */
  statePath: string;
  /** The RPC URL, to name it in errors. */
  rpcUrl: string;
  /** Blocks a block must be buried under before its events are evaluated (default 1). */
  confirmations?: number;
  /** Milliseconds between polls of the head (default 1,000). */
  pollIntervalMs?: number;
  /** Consecutive failed polls before giving up with an error naming the RPC (default 6). */
  rpcRetries?: number;
  /** The chain id the RPC must serve (e.g. --chain-id or the config's). */
  chainId?: number;
  /** POST each new finding here, signed (see `signWebhookBody`). */
  webhook?: { url: string; secret: string; backoffMs?: number; maxBackoffMs?: number; timeoutSeconds?: number };
  /** Called with each new finding's JSON line (without newline), after the state recording it is on disk. */
  onFinding: (line: string, finding: AuditFinding) => void;
  /** Notes for people (progress, warnings). */
  onProgress?: (message: string) => void;
  /** Called after each poll that advanced (for measurements). */
  onPoll?: (p: { head: number; lastBlock: number; events: number; newFindings: number; evaluationMs: number }) => void;
  /**
   * Findings emitted within this many blocks of the last block audited are remembered by id (a
   * reorganisation up to that depth re-emits only what changed); older ones are summarised by the
   * state's high-water mark `emittedThrough` (default 1,000).
   */
  retentionBlocks?: number;
  /**
   * How the rules are evaluated: "incremental" (default: one rule session keeps its state and takes
   * the new events) or "rerun" (every rule over every event since `fromBlock` on each poll with new
   * events, as first released; kept as the benchmark's anchor).
   */
  evaluation?: "incremental" | "rerun";
  /**
   * Called before each batch of new events is evaluated, with the block the events reach and the
   * events (e.g. to read the gas funding of newly registered parties; see `createGasFunding`).
   */
  beforeEvaluate?: (p: { toBlock: number; events: readonly LedgerEvent[] }) => Promise<void>;
  /** Stops the loop (the current poll finishes and its state is written). */
  signal?: AbortSignal;
};

/** What {@link followAudit} returns when stopped. */
export type FollowAuditReturnType = { lastBlock: number; emitted: number; pending: number };

/**
 * The dedup key of a finding: its id and transaction. After a reorganisation another transaction
 * can take the same position (block, log index), hence the same id: that is a new finding.
 */
const keyOf = (f: AuditFinding) => `${f.id} ${f.txHash}`;
/** The block of a remembered `<id> <txHash>` (ids are `<rule>@<block>.<logIndex>…`); null for `@end` ids. */
const blockOfKey = (key: string): number | null => {
  const m = /@(\d+)\./.exec(key.split(" ")[0]!);
  return m ? Number(m[1]) : null;
};
const bigintSafe = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

/**
 * `keytrail audit --follow`: follows the chain and emits each new audit finding once. Every poll
 * reads the head, takes the blocks buried under `confirmations` blocks, reads their ledger logs
 * (`fetchLedgerEvents`), and hands the new events to a rule session (`createAuditSession`: each rule
 * keeps its state and checks only the new events; `evaluation: "rerun"` re-runs every rule over the
 * history instead, as first released). Findings not emitted before (remembered by id and
 * transaction for `retentionBlocks`, below that by the high-water mark `emittedThrough`) are
 * recorded in the state file (written atomically, with the block processed and the webhook
 * deliveries queued) and only then emitted, so a crash never emits a finding twice. A restart
 * replays the history up to the recorded block into a new session and continues after it.
 * A reorganisation deeper than `confirmations` (the recorded block's hash changed) is reported and
 * the history is read again; findings already emitted are not withdrawn.
 *
 * @param client A viem public client.
 * @param parameters Ledger, start block, state file, confirmations, webhook, rule thresholds.
 * @returns When `signal` aborts: the last block processed and counts.
 * @throws FollowRpcError when the RPC keeps failing (naming its URL) or serves another chain id;
 *   FollowStateError when the state file belongs to another chain or ledger.
 * @example
 * await followAudit(client, { ledger, fromBlock: 1n, statePath, rpcUrl, onFinding: (l) => console.log(l) });
 */
export async function followAudit(
  client: PublicClient,
  parameters: FollowAuditParameters,
): Promise<FollowAuditReturnType> {
  const log = parameters.onProgress ?? (() => undefined);
  const { statePath, rpcUrl, signal } = parameters;
  const ledger = parameters.ledger.toLowerCase() as Address;
  const confirmations = parameters.confirmations ?? 1;
  const pollMs = parameters.pollIntervalMs ?? 1_000;
  const maxFailures = parameters.rpcRetries ?? 6;
  if (!Number.isSafeInteger(confirmations) || confirmations < 0)
    throw new FollowStateError(`Confirmations ${confirmations} is not a whole number of blocks >= 0.`);

  const sleep = (ms: number) =>
    new Promise<void>((res) => {
      if (signal?.aborted) return res();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal?.removeEventListener("abort", done);
        res();
      }
      signal?.addEventListener("abort", done, { once: true });
    });
  // Retries every RPC step; after maxFailures consecutive failures, one error naming the URL.
  let failures = 0;
  let checkChain = true;
  const chainId = await withRetries(() => client.getChainId());
  async function withRetries<T>(step: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        const v = await step();
        failures = 0;
        return v;
      } catch (e) {
        if (e instanceof AuditDecodeError || e instanceof FollowStateError || e instanceof FollowRpcError) throw e;
        failures++;
        checkChain = true;
        const why = e instanceof Error ? ((e as { shortMessage?: string }).shortMessage ?? e.message) : String(e);
        if (failures > maxFailures)
          throw new FollowRpcError(`The RPC ${rpcUrl} failed ${failures} times in a row: ${why}`, {
            details: "Check that the node runs and the URL is right; the state file keeps the progress, so run again.",
            cause: e,
            retryable: true,
          });
        log(`RPC ${rpcUrl} failed (${failures}/${maxFailures}): ${why}; retrying`);
        await sleep(Math.min(5_000, 250 * 2 ** (failures - 1)));
        if (signal?.aborted) throw e;
      }
    }
  }
  const expectChain = (id: number) => {
    if (parameters.chainId !== undefined && id !== parameters.chainId)
      throw new FollowRpcError(`RPC ${rpcUrl} serves chain id ${id}, but chain id ${parameters.chainId} is expected.`);
  };
  expectChain(chainId);

  let state: FollowState = (await readFollowState(statePath)) ?? {
    schema: FOLLOW_STATE_SCHEMA,
    chainId,
    ledger,
    fromBlock: Number(parameters.fromBlock),
    lastBlock: Number(parameters.fromBlock) - 1,
    lastBlockHash: null,
    emitted: [],
    emittedThrough: Number(parameters.fromBlock) - 1,
    pending: [],
  };
  if (state.chainId !== chainId)
    throw new FollowStateError(
      `The follow state file ${statePath} is for chain id ${state.chainId}, ` +
        `but RPC ${rpcUrl} serves chain id ${chainId}.`,
      { details: "Use another --state file for this chain, or the RPC of the chain the file follows." },
    );
  if (state.ledger.toLowerCase() !== ledger)
    throw new FollowStateError(`The follow state file ${statePath} follows ledger ${state.ledger}, not ${ledger}.`, {
      details: "Use another --state file for this ledger.",
    });
  if (state.fromBlock !== Number(parameters.fromBlock))
    log(`the state file starts at block ${state.fromBlock}; following from there`);
  if (state.pending.length && !parameters.webhook)
    log(`${state.pending.length} webhook deliveries stay queued in ${statePath} (no --webhook given)`);
  const retention = parameters.retentionBlocks ?? 1_000;
  if (!Number.isSafeInteger(retention) || retention < 0)
    throw new FollowStateError(`Retention ${retention} is not a whole number of blocks >= 0.`);
  const incremental = (parameters.evaluation ?? "incremental") === "incremental";
  const emitted = new Set(state.emitted);
  // A finding counts as emitted when remembered, or when its block is at or below the high-water mark.
  const wasEmitted = (f: AuditFinding) =>
    emitted.has(keyOf(f)) || (f.id.includes("@end") ? false : f.blockNumber <= state.emittedThrough);
  let events: LedgerEvent[] = [];
  let session: AuditSession | null = null;
  let replayed = false; // the history up to lastBlock is in `events`
  let behind = false;

  while (!signal?.aborted) {
    if (checkChain) {
      expectChain(await withRetries(() => client.getChainId()));
      checkChain = false;
    }
    const head = Number(await withRetries(() => client.getBlockNumber({ cacheTime: 0 })));
    const target = head - confirmations;
    if (head < state.lastBlock) {
      if (!behind) log(`the head ${head} is behind block ${state.lastBlock} already processed; waiting for it`);
      behind = true;
      await sleep(pollMs);
      continue;
    }
    behind = false;
    if (state.lastBlockHash && state.lastBlock >= state.fromBlock && (target > state.lastBlock || !replayed)) {
      const b = await withRetries(() => client.getBlock({ blockNumber: BigInt(state.lastBlock) }));
      if (b.hash !== state.lastBlockHash) {
        log(
          `block ${state.lastBlock} changed (${state.lastBlockHash} -> ${b.hash}): a reorganisation deeper than ` +
            `${confirmations} confirmations; reading the history again (emitted findings are not withdrawn)`,
        );
        replayed = false;
      }
    }
    if (target > state.lastBlock || (!replayed && target >= state.fromBlock)) {
      const from = replayed ? state.lastBlock + 1 : state.fromBlock;
      const to = Math.max(target, state.lastBlock);
      const read = await withRetries(() =>
        fetchLedgerEvents(client, {
          ledger,
          fromBlock: BigInt(from),
          toBlock: BigInt(to),
          retries: 1,
          delay: () => Promise.resolve(),
        }),
      );
      const toBlock = await withRetries(() => client.getBlock({ blockNumber: BigInt(to) }));
      const fresh: AuditFinding[] = [];
      let evaluationMs = 0;
      if (!replayed || read.events.length > 0) {
        await parameters.beforeEvaluate?.({ toBlock: to, events: read.events });
        const t0 = performance.now();
        let findings: AuditFinding[];
        if (incremental) {
          // A replay (first poll, restart, reorganisation) starts a new session over the history.
          if (!replayed || !session) session = createAuditSession({ ...parameters, facts: false });
          findings = [...session.push(read.events), ...session.finish()];
        } else {
          events = replayed ? events.concat(read.events) : read.events;
          findings = auditEvents(events, parameters).findings;
        }
        evaluationMs = performance.now() - t0;
        for (const f of findings) if (!wasEmitted(f)) fresh.push(f);
      }
      replayed = true;
      const lines = fresh.map((f) => JSON.stringify({ chainId, ledger, ...f }, bigintSafe));
      for (const f of fresh) emitted.add(keyOf(f));
      state = {
        ...state,
        lastBlock: to,
        lastBlockHash: toBlock.hash,
        ...prune([...state.emitted, ...fresh.map(keyOf)], Math.max(state.emittedThrough, to - retention)),
        pending: parameters.webhook
          ? [
              ...state.pending,
              ...fresh.map((f, i) => ({ id: f.id, body: lines[i]!, attempts: 0, nextAttemptAt: 0, lastError: null })),
            ]
          : state.pending,
      };
      // Recorded first, emitted after: a crash in between loses a stdout line, never repeats one.
      await writeFollowState(statePath, state);
      fresh.forEach((f, i) => parameters.onFinding(lines[i]!, f));
      parameters.onPoll?.({ head, lastBlock: to, events: events.length, newFindings: fresh.length, evaluationMs });
    }
    if (parameters.webhook && state.pending.some((d) => d.nextAttemptAt <= Date.now())) {
      const r = await deliverWebhooks(state.pending, parameters.webhook);
      const failed = r.pending.find((d) => d.lastError && d.attempts > 0 && d.nextAttemptAt > Date.now());
      state = { ...state, pending: r.pending };
      await writeFollowState(statePath, state);
      if (failed && r.delivered.length === 0)
        log(`webhook ${parameters.webhook.url}: ${failed.lastError}; ${r.pending.length} deliveries queued`);
    }
    await sleep(pollMs);
  }
  return { lastBlock: state.lastBlock, emitted: state.emitted.length, pending: state.pending.length };
}

/**
 * Keeps the remembered findings above the high-water mark `through` (and every `@end` one); the
 * rest are summarised by the mark: a finding at or below it is never emitted again.
 */
function prune(keys: string[], through: number): { emitted: string[]; emittedThrough: number } {
  return {
    emitted: keys.filter((k) => {
      const b = blockOfKey(k);
      return b === null || b > through;
    }),
    emittedThrough: through,
  };
}
