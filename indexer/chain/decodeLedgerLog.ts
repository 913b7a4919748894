import { decodeAbiParameters, toEventSelector } from "viem";
import type { AbiEvent, AbiParameter, Hex } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import type { DecodedLedgerLog } from "../../lib/state/types.js";

/** A log as eth_getLogs returns it (hex quantities). */
export type RpcLog = {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  blockHash: Hex;
  transactionHash: Hex;
  transactionIndex?: Hex;
  logIndex: Hex;
  removed?: boolean;
  blockTimestamp?: Hex;
};

type Decoder = { name: string; indexed: AbiParameter[]; data: AbiParameter[]; names: string[] };

const decoders = new Map<string, Decoder>();
for (const item of keyLedgerAbi) {
  if (item.type !== "event") continue;
  const ev = item as AbiEvent;
  const indexed = ev.inputs.filter((i) => i.indexed);
  const data = ev.inputs.filter((i) => !i.indexed);
  decoders.set(toEventSelector(ev), { name: ev.name, indexed, data, names: ev.inputs.map((i) => i.name ?? "") });
}

const lowerTypes = new Set(["address", "bytes32", "bytes3"]);

function norm(type: string, v: unknown): unknown {
  return lowerTypes.has(type) && typeof v === "string" ? v.toLowerCase() : v;
}

function decodeTopic(p: AbiParameter, topic: Hex): unknown {
  switch (p.type) {
    case "address":
      return `0x${topic.slice(26)}`.toLowerCase();
    case "bytes32":
      return topic.toLowerCase();
    default:
      return decodeAbiParameters([p], topic)[0];
  }
}

/**
 * Decodes one ledger log into the reducer's shape (lib/state `DecodedLedgerLog`): event name and
 * named arguments, addresses and hashes lower-case, integers as bigint (uint8 as number).
 * Returns null for a log of an event the ledger's ABI does not declare.
 *
 * @param log - topics and data of a raw log.
 * @returns the decoded event, or null when topic0 is unknown.
 * @throws viem's AbiDecodingDataSizeTooSmallError when the data does not fit the event.
 * @example
 * const ev = decodeLedgerLog({ topics, data });
 */
export function decodeLedgerLog(log: { topics: readonly Hex[]; data: Hex }): DecodedLedgerLog | null {
  const t0 = log.topics[0];
  if (!t0) return null;
  const d = decoders.get(t0.toLowerCase());
  if (!d) return null;
  const args: Record<string, unknown> = {};
  d.indexed.forEach((p, i) => {
    const topic = log.topics[i + 1];
    if (!topic) throw new Error(`event ${d.name}: topic ${i + 1} missing`);
    args[p.name ?? ""] = decodeTopic(p, topic);
  });
  if (d.data.length) {
    const values = decodeAbiParameters(d.data, log.data);
    d.data.forEach((p, i) => {
      args[p.name ?? ""] = norm(p.type, values[i]);
    });
  }
  return { eventName: d.name, args } as DecodedLedgerLog;
}
