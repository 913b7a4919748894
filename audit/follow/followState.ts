import { readFile } from "node:fs/promises";
import { writeFileDurable } from "./writeFileDurable.js";
import type { Address, Hex } from "viem";
import { FollowStateError } from "./errors.js";

/** Schema id of the follow state file. */
export const FOLLOW_STATE_SCHEMA = "keytrail.audit-follow/1";

/** A finding waiting for its webhook delivery. */
export type PendingDelivery = {
  /** The finding's id (also sent as the `KeyTrail-Finding-Id` header). */
  id: string;
  /** The exact JSON body to POST (the finding's line). */
  body: string;
  /** Failed attempts so far. */
  attempts: number;
  /** Unix milliseconds before which no new attempt is made. */
  nextAttemptAt: number;
  /** The last failure, for the operator (status or error message; never the secret). */
  lastError: string | null;
};

/** What `keytrail audit --follow` keeps between runs. */
export type FollowState = {
  schema: typeof FOLLOW_STATE_SCHEMA;
  chainId: number;
  ledger: Address;
  /** First block of the replay (the ledger's deployment block, or --from-block). */
  fromBlock: number;
  /** Last block whose findings were emitted (fromBlock - 1 before the first poll). */
  lastBlock: number;
  /** Hash of `lastBlock` when it was processed (a different hash later means a reorganisation). */
  lastBlockHash: Hex | null;
  /**
   * The findings emitted at blocks above `emittedThrough` (and every `<rule>@end` one), as
   * `<id> <txHash>`, in emission order.
   */
  emitted: string[];
  /**
   * High-water mark: every finding at a block at or below it counts as emitted (the remembered list
   * keeps the retention window only). `fromBlock - 1` at first; absent in older files (-1).
   */
  emittedThrough: number;
  /** Webhook deliveries not yet acknowledged with a 2xx. */
  pending: PendingDelivery[];
};

/**
 * Reads a follow state file; null when it does not exist.
 *
 * @param path The state file.
 * @returns The state, or null.
 * @throws FollowStateError when the file is not a follow state (naming the file and the problem).
 * @example
 * const state = await readFollowState("out/audit/follow-state.json");
 */
export async function readFollowState(path: string): Promise<FollowState | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new FollowStateError(`Cannot read the follow state file ${path}.`, { cause: e });
  }
  let s: Partial<FollowState>;
  try {
    s = JSON.parse(text) as Partial<FollowState>;
  } catch (e) {
    throw new FollowStateError(`The follow state file ${path} is not JSON.`, {
      details: "It is written atomically, so it was not written by keytrail audit --follow; move it away.",
      cause: e,
    });
  }
  if (
    s.schema !== FOLLOW_STATE_SCHEMA ||
    typeof s.chainId !== "number" ||
    typeof s.ledger !== "string" ||
    typeof s.fromBlock !== "number" ||
    typeof s.lastBlock !== "number" ||
    !Array.isArray(s.emitted) ||
    !Array.isArray(s.pending)
  ) {
    throw new FollowStateError(
      `The follow state file ${path} is not a ${FOLLOW_STATE_SCHEMA} state (schema ${JSON.stringify(s.schema)}).`,
    );
  }
  if (s.emittedThrough !== undefined && !Number.isSafeInteger(s.emittedThrough))
    throw new FollowStateError(
      `The follow state file ${path} has emittedThrough ${JSON.stringify(s.emittedThrough)}: not a block number.`,
    );
  return { ...s, lastBlockHash: s.lastBlockHash ?? null, emittedThrough: s.emittedThrough ?? -1 } as FollowState;
}

/**
 * Writes the follow state atomically: to a temporary file in the same folder, flushed to disk,
 * then renamed over the old one, so a crash leaves either the old or the new state, never a mix.
 *
 * @param path The state file.
 * @param state The state.
 * @example
 * await writeFollowState(path, { ...state, lastBlock: 120 });
 */
export async function writeFollowState(path: string, state: FollowState): Promise<void> {
  await writeFileDurable(
    path,
    JSON.stringify(state) + "\n",
    0o600,
    (e) => new FollowStateError(`Cannot write the follow state file ${path}.`, { cause: e }),
  );
}
