import { describe, expect, it } from "vitest";
import { decodeEventLog, encodeAbiParameters, encodeEventTopics, toEventSelector } from "viem";
import type { AbiEvent, AbiParameter, Hex } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { decodeLedgerLog } from "../../lib/events/decodeLedgerLog.js";
import { LedgerLogDecodeError } from "../../lib/events/errors.js";

// Driven by the version 2 ABI (ledger + sale module): a new event is a new case here, and an
// argument type this generator does not know fails the test until it is taught.
const events: AbiEvent[] = keyLedgerV2Abi.filter((x): x is Extract<typeof x, { type: "event" }> => x.type === "event");

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
function rng(seed: number): (n: number) => Hex {
  let s = seed >>> 0 || 1;
  return (n) => {
    let out = "0x";
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      out += ((s >>> 0) & 0xff).toString(16).padStart(2, "0");
    }
    return out as Hex;
  };
}

const STRINGS = ["", "标签 label", "ipfs://bafy/" + "x".repeat(70), "é"];
/** Array lengths per variant: empty, one, a few, and a sale of many keys. */
const LENGTHS = [0, 1, 3, 257, 2, 5, 0, 64];

/** A value of an ABI type: the extreme values in variant 0/1, pseudo-random ones after. */
function sample(p: AbiParameter, variant: number, bytes: (n: number) => Hex): unknown {
  if (p.type.endsWith("[]")) {
    const element = { ...p, type: p.type.slice(0, -2) } as AbiParameter;
    const n = LENGTHS[variant % LENGTHS.length]!;
    return Array.from({ length: n }, (_, i) => sample(element, i < 2 ? i : variant + 2, bytes));
  }
  if (p.type === "tuple" && "components" in p) {
    return Object.fromEntries(p.components.map((c) => [c.name!, sample(c, variant, bytes)]));
  }
  const uint = /^uint(\d+)$/.exec(p.type);
  if (uint) {
    const bits = Number(uint[1]);
    const v = variant === 0 ? 0n : variant === 1 ? 2n ** BigInt(bits) - 1n : BigInt(bytes(bits / 8));
    return bits <= 48 ? Number(v) : v;
  }
  const fixed = /^bytes(\d+)$/.exec(p.type);
  if (fixed) return bytes(Number(fixed[1]));
  switch (p.type) {
    case "address":
      return variant === 0 ? "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" : bytes(20);
    case "bool":
      return variant % 2 === 1;
    case "string":
      return STRINGS[variant % STRINGS.length];
    default:
      throw new Error(`The test has no sample of ABI type ${p.type} (argument ${p.name}): add one.`);
  }
}

function encode(ev: AbiEvent, args: Record<string, unknown>): { topics: Hex[]; data: Hex } {
  const topics = encodeEventTopics({ abi: [ev], eventName: ev.name, args: args as never }) as Hex[];
  const nonIndexed = ev.inputs.filter((i) => !i.indexed);
  const data = encodeAbiParameters(nonIndexed, nonIndexed.map((i) => args[i.name!]) as never);
  return { topics, data };
}

/** Hex strings lower-cased, through arrays and tuples. */
const lowerHex = (v: unknown): unknown => {
  if (typeof v === "string" && v.startsWith("0x")) return v.toLowerCase();
  if (Array.isArray(v)) return v.map(lowerHex);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, lowerHex(x)]));
  }
  return v;
};

describe("decodeLedgerLog (lib/events, KeyLedger v2)", () => {
  it("covers every event of the v2 ABI, sale module included", () => {
    const names = events.map((e) => e.name);
    for (const n of ["KeysSold", "SaleRefunded", "PartyRekeyed", "RekeyProposed", "DefaultAdminTransferScheduled"]) {
      expect(names).toContain(n);
    }
    expect(events.length).toBeGreaterThanOrEqual(23);
    for (const ev of events) {
      const { topics, data } = encode(ev, Object.fromEntries(ev.inputs.map((p) => [p.name!, sample(p, 0, rng(1))])));
      expect(decodeLedgerLog({ topics, data })?.eventName).toBe(ev.name);
    }
  });

  const cases = events.map((e) => [e.name, e] as const);
  it.each(cases)("%s: same values and JS types as viem's decodeEventLog (hex lower-case)", (_name, ev) => {
    const bytes = rng(ev.name.length * 7919);
    for (let variant = 0; variant < 8; variant++) {
      const args = Object.fromEntries(ev.inputs.map((p) => [p.name!, sample(p, variant, bytes)]));
      const { topics, data } = encode(ev, args);
      const theirs = decodeEventLog({ abi: keyLedgerV2Abi, topics: topics as [Hex, ...Hex[]], data });
      const ours = decodeLedgerLog({ topics, data });
      expect(ours?.eventName).toBe(theirs.eventName);
      // viem returns `args: undefined` for an event without inputs (typed `readonly []`): ours is [].
      const want = theirs.args === undefined ? [] : lowerHex(theirs.args);
      expect(ours?.args).toStrictEqual(want);
      expect(Object.keys(ours!.args)).toEqual(ev.inputs.map((p) => p.name));
      // Upper-case hex in the raw log decodes the same.
      const upper = topics.map((t): Hex => `0x${t.slice(2).toUpperCase()}`);
      expect(decodeLedgerLog({ topics: upper, data: `0x${data.slice(2).toUpperCase()}` })).toStrictEqual(ours);
    }
  });

  it("returns null for a topic0 the ABI lacks, a log without topics, and the v1 events whose signature changed", () => {
    expect(decodeLedgerLog({ topics: [`0x${"00".repeat(32)}`], data: "0x" })).toBeNull();
    expect(decodeLedgerLog({ topics: [], data: "0x" })).toBeNull();
    const v1Only = ["BatchAnchored", "KeysRevoked", "KeysReinstated", "PartyRegistered", "PartySuspended"];
    for (const item of keyLedgerAbi) {
      if (item.type !== "event" || !v1Only.includes(item.name)) continue;
      expect(decodeLedgerLog({ topics: [toEventSelector(item)], data: "0x" })).toBeNull();
    }
  });

  it("decodes KeysRedeemed in both layouts of its one signature: v2 (`by` as data) and v1 (`by` a topic)", () => {
    const bytes = rng(7);
    for (const abi of [keyLedgerV2Abi, keyLedgerAbi] as const) {
      const ev = (abi as readonly { type: string; name?: string }[]).find(
        (x) => x.type === "event" && x.name === "KeysRedeemed",
      ) as AbiEvent;
      for (let variant = 0; variant < 4; variant++) {
        const args = Object.fromEntries(ev.inputs.map((p) => [p.name!, sample(p, variant, bytes)]));
        const { topics, data } = encode(ev, args);
        const theirs = decodeEventLog({ abi: [ev], topics: topics as [Hex, ...Hex[]], data });
        expect(decodeLedgerLog({ topics, data })).toStrictEqual({
          eventName: "KeysRedeemed",
          args: lowerHex(theirs.args),
        });
      }
    }
  });

  it("rejects short data, a missing topic and a string or array running past the data, naming the event", () => {
    const ct = events.find((e) => e.name === "CustodyTransferred")!;
    const a = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    const ctArgs = { batchId: `0x${"11".repeat(32)}`, from: a, to: a };
    const topics = encodeEventTopics({ abi: [ct], eventName: ct.name, args: ctArgs as never }) as Hex[];
    expect(() => decodeLedgerLog({ topics, data: "0x1234" })).toThrow(LedgerLogDecodeError);
    expect(() => decodeLedgerLog({ topics, data: "0x1234" })).toThrow(/CustodyTransferred: data has 2 bytes/);
    expect(() => decodeLedgerLog({ topics: topics.slice(0, 3), data: `0x${"00".repeat(96)}` })).toThrow(
      /CustodyTransferred: topic 3 \(indexed argument to\) is missing/,
    );

    const pu = events.find((e) => e.name === "PartyUpdated")!;
    const good = encode(pu, Object.fromEntries(pu.inputs.map((p) => [p.name!, sample(p, 2, rng(3))])));
    const cut = good.data.slice(0, good.data.length - 64) as Hex;
    expect(() => decodeLedgerLog({ topics: good.topics, data: cut })).toThrow(
      /PartyUpdated: string profileURI at byte 96 runs past the data/,
    );

    const ks = events.find((e) => e.name === "KeysSold")!;
    const sold = encode(ks, Object.fromEntries(ks.inputs.map((p) => [p.name!, sample(p, 2, rng(5))])));
    const short = sold.data.slice(0, sold.data.length - 64) as Hex;
    expect(() => decodeLedgerLog({ topics: sold.topics, data: short })).toThrow(
      /KeysSold: array orderRefs at byte \d+ runs past the data/,
    );
    expect(() => decodeLedgerLog({ topics: sold.topics.slice(0, 3), data: sold.data })).toThrow(
      /KeysSold: topic 3 \(indexed argument saleNo\) is missing/,
    );
  });
});
