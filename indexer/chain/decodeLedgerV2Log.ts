import { decodeEventLog } from "viem";
import type { ContractEventArgsFromTopics, ContractEventName, Hex } from "viem";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { IndexerInconsistentResponseError } from "../errors.js";

/** Names of KeyLedger v2's events (ledger and sale module), derived from `keyLedgerV2Abi`. */
export type LedgerV2EventName = ContractEventName<typeof keyLedgerV2Abi>;

/**
 * A decoded KeyLedger v2 log, `{ eventName, args }`, typed as viem's `decodeEventLog` types it
 * (uint8..uint48 `number`, wider `bigint`), addresses lower-case.
 */
export type DecodedLedgerV2Log = {
  [name in LedgerV2EventName]: {
    eventName: name;
    args: ContractEventArgsFromTopics<typeof keyLedgerV2Abi, name, true>;
  };
}[LedgerV2EventName];

const addressArgs = new Map<string, string[]>();
for (const item of keyLedgerV2Abi) {
  if (item.type !== "event") continue;
  addressArgs.set(
    item.name,
    item.inputs.filter((i) => i.type === "address").map((i) => i.name),
  );
}

/**
 * Decodes one KeyLedger v2 log (ledger or sale module event) with the v2 ABI.
 *
 * @param log - topics and data of a raw log.
 * @returns the decoded event, or null when topic0 is not an event of the v2 ABI.
 * @throws IndexerInconsistentResponseError when the log's data does not fit its event.
 * @example
 * const decoded = decodeLedgerV2Log({ topics: log.topics, data: log.data });
 */
export function decodeLedgerV2Log(log: { topics: readonly Hex[]; data: Hex }): DecodedLedgerV2Log | null {
  const t0 = log.topics[0];
  if (t0 === undefined) return null;
  let decoded: { eventName: string; args: Record<string, unknown> };
  try {
    decoded = decodeEventLog({
      abi: keyLedgerV2Abi,
      topics: log.topics as [Hex, ...Hex[]],
      data: log.data,
      strict: true,
    }) as unknown as typeof decoded;
  } catch (e) {
    if (e instanceof Error && e.name === "AbiEventSignatureNotFoundError") return null;
    throw new IndexerInconsistentResponseError(
      `A ledger log with topic0 ${t0} does not decode with the v2 ABI: ${(e as Error).message.split("\n")[0]}`,
    );
  }
  for (const name of addressArgs.get(decoded.eventName) ?? []) {
    const v = decoded.args[name];
    if (typeof v === "string") decoded.args[name] = v.toLowerCase();
  }
  return decoded as unknown as DecodedLedgerV2Log;
}
