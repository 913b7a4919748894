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

type Decoder = { name: string; indexed: AbiParameter[]; data: AbiParameter[]; names: string[]; staticData: boolean };

const STATIC = /^(uint\d*|int\d*|bool|address|bytes([1-9]|[12]\d|3[012]))$/;

const decoders = new Map<string, Decoder>();
for (const item of keyLedgerAbi) {
  if (item.type !== "event") continue;
  const ev = item as AbiEvent;
  const indexed = ev.inputs.filter((i) => i.indexed);
  const data = ev.inputs.filter((i) => !i.indexed);
  decoders.set(toEventSelector(ev), { name: ev.name, indexed, data, names: ev.inputs.map((i) => i.name ?? ""), staticData: data.every((p) => STATIC.test(p.type)) });
}

const lowerTypes = new Set(["address", "bytes32", "bytes3"]);

function norm(type: string, v: unknown): unknown {
  return lowerTypes.has(type) && typeof v === "string" ? v.toLowerCase() : v;
}

/** One 32-byte ABI word of a static type (the hot path: no allocation beyond the value). */
function decodeWord(type: string, word: string): unknown {
  if (type === "address") return `0x${word.slice(24)}`.toLowerCase();
  if (type === "bool") return word.charCodeAt(63) === 49;
  if (type.startsWith("bytes")) return `0x${word.slice(0, Number(type.slice(5)) * 2)}`.toLowerCase();
  const bits = type === "uint" || type === "int" ? 256 : Number(type.replace(/^u?int/, ""));
  if (type.startsWith("uint") && bits <= 48) return type === "uint8" || type === "uint16" || type === "uint32" ? Number.parseInt(word.slice(56), 16) : BigInt(`0x${word.slice(52)}`);
  if (type.startsWith("uint")) return BigInt(`0x${word}`);
  return BigInt.asIntN(bits, BigInt(`0x${word}`));
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
  if (d.data.length && d.staticData) {
    const hex = log.data.slice(2);
    if (hex.length < d.data.length * 64) throw new Error(`event ${d.name}: data has ${hex.length / 2} bytes, expected ${d.data.length * 32}`);
    d.data.forEach((p, i) => {
      args[p.name ?? ""] = decodeWord(p.type, hex.slice(i * 64, i * 64 + 64));
    });
  } else if (d.data.length) {
    const values = decodeAbiParameters(d.data, log.data);
    d.data.forEach((p, i) => {
      args[p.name ?? ""] = norm(p.type, values[i]);
    });
  }
  return { eventName: d.name, args } as DecodedLedgerLog;
}
