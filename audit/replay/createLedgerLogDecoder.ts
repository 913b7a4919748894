import { decodeEventLog, toEventSelector, type Abi, type AbiEvent, type AbiParameter, type Hex } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import type { DecodedLedgerLog } from "../../lib/state/types.js";

type Field = { name: string; type: string; indexed: boolean };
type Plan = { name: string; fields: Field[]; fast: boolean; abi: Abi };

const utf8 = new TextDecoder("utf-8", { fatal: false });
const SIMPLE = /^(address|bool|string|bytes(?:[1-9]|[12]\d|3[0-2])|uint(?:8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256))$/;

function word(data: string, i: number): string {
  return data.slice(2 + 64 * i, 66 + 64 * i);
}

function decodeStatic(type: string, w: string): unknown {
  if (type === "address") return `0x${w.slice(24)}`;
  if (type === "bool") return w.charCodeAt(63) === 49; // "1"
  if (type.startsWith("bytes")) return `0x${w.slice(0, 2 * Number(type.slice(5)))}`;
  // uintN: viem returns numbers up to 48 bits, bigints above.
  return Number(type.slice(4)) <= 48 ? parseInt(w, 16) : BigInt(`0x${w}`);
}

function decodeString(data: string, offsetWord: string): string {
  const offset = parseInt(offsetWord, 16) * 2;
  const len = parseInt(data.slice(2 + offset, 66 + offset), 16);
  const hex = data.slice(66 + offset, 66 + offset + len * 2);
  const bytes = new Uint8Array(len);
  for (let i = 0; i < len; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return utf8.decode(bytes);
}

/**
 * A fast decoder of KeyLedger logs. It reads the ABI once, indexes events by topic0, and decodes
 * the ledger's event shapes (addresses, bool, bytesN, uintN, enums, strings) directly from the hex
 * words; anything else falls back to viem's `decodeEventLog`. Output equals viem's except that
 * addresses are lowercase (the reducer keys on lowercase anyway). The audit's replay spends most
 * of its time decoding, so this matters: see bench/audit.
 *
 * @returns `decode(log)`: `{ eventName, args }`, or null for a topic0 the ABI lacks.
 * @example
 * const decode = createLedgerLogDecoder();
 * const decoded = decode({ data: log.data, topics: log.topics });
 */
export function createLedgerLogDecoder(): (log: { data: Hex; topics: readonly Hex[] }) => DecodedLedgerLog | null {
  const plans = new Map<string, Plan>();
  for (const item of keyLedgerAbi) {
    if (item.type !== "event") continue;
    const fields = (item.inputs as readonly (AbiParameter & { indexed?: boolean })[]).map((p) => ({ name: p.name ?? "", type: p.type, indexed: p.indexed === true }));
    const fast = fields.every((f) => SIMPLE.test(f.type) && !(f.indexed && f.type === "string") && f.name !== "");
    plans.set(toEventSelector(item as AbiEvent), { name: item.name, fields, fast, abi: [item] as Abi });
  }
  return (log) => {
    const t0 = log.topics[0];
    const plan = t0 ? plans.get(t0.toLowerCase()) : undefined;
    if (!plan) return null;
    if (!plan.fast) return decodeEventLog({ abi: plan.abi, data: log.data, topics: log.topics as [Hex, ...Hex[]] }) as unknown as DecodedLedgerLog;
    const args: Record<string, unknown> = {};
    let topic = 1;
    let slot = 0;
    const data = log.data.toLowerCase();
    for (const f of plan.fields) {
      if (f.indexed) {
        const t = log.topics[topic++];
        if (t === undefined) throw new Error(`${plan.name}: missing topic for ${f.name}`);
        args[f.name] = decodeStatic(f.type, t.slice(2).toLowerCase());
      } else {
        const w = word(data, slot++);
        if (w.length !== 64) throw new Error(`${plan.name}: data too short for ${f.name}`);
        args[f.name] = f.type === "string" ? decodeString(data, w) : decodeStatic(f.type, w);
      }
    }
    return { eventName: plan.name, args } as unknown as DecodedLedgerLog;
  };
}
