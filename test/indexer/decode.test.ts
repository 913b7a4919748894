import { describe, expect, it } from "vitest";
import { decodeEventLog, encodeAbiParameters, encodeEventTopics } from "viem";
import type { AbiEvent, Hex } from "viem";
import { decodeLedgerLog } from "../../lib/events/v1/decodeLedgerLog.js";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";

const events = keyLedgerAbi.filter((x) => x.type === "event") as unknown as AbiEvent[];
const sample: Record<string, unknown> = {
  address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  bytes32: `0x${"Ab".repeat(32)}`,
  bytes3: "0x434E59",
  string: "标签 label",
  bool: true,
  uint8: 3,
  uint64: 2n ** 64n - 1n,
  uint128: 2n ** 127n + 5n,
  uint256: 2n ** 255n + 7n,
};

describe("decodeLedgerLog", () => {
  it.each(events.map((e) => [e.name, e] as const))(
    "%s: same values as viem's decodeEventLog (lower-case hex)",
    (_name, ev) => {
      const args = Object.fromEntries(
        ev.inputs.map((i) => [i.name!, i.type === "uint8" && /kind|reason/i.test(i.name!) ? 2 : sample[i.type]]),
      );
      const topics = encodeEventTopics({ abi: [ev], eventName: ev.name, args: args as never }) as Hex[];
      const nonIndexed = ev.inputs.filter((i) => !i.indexed);
      const data = encodeAbiParameters(nonIndexed, nonIndexed.map((i) => args[i.name!]) as never);
      const ours = decodeLedgerLog({ topics, data });
      const theirs = decodeEventLog({ abi: [ev], topics: topics as [Hex, ...Hex[]], data });
      const norm = (v: unknown) => (typeof v === "string" && v.startsWith("0x") ? v.toLowerCase() : v);
      expect(ours?.eventName).toBe(theirs.eventName);
      expect(ours?.args).toEqual(
        Object.fromEntries(Object.entries(theirs.args as object).map(([k, v]) => [k, norm(v)])),
      );
    },
  );

  it("ignores unknown events and rejects short data", () => {
    expect(decodeLedgerLog({ topics: [`0x${"00".repeat(32)}`], data: "0x" })).toBeNull();
    const ev = events.find((e) => e.name === "CustodyTransferred")!;
    const topics = encodeEventTopics({
      abi: [ev],
      eventName: ev.name,
      args: { batchId: `0x${"11".repeat(32)}`, from: sample.address, to: sample.address } as never,
    }) as Hex[];
    expect(() => decodeLedgerLog({ topics, data: "0x1234" })).toThrow(/data has 2 bytes/);
  });
});

describe("encodeCheckpoint", () => {
  it("fixed width: string order is (block, logIndex) order", async () => {
    const { encodeCheckpoint } = await import("../../indexer/sync/encodeCheckpoint.js");
    const pairs: [number, number][] = [
      [9, 99],
      [10, 0],
      [10, 2],
      [10, 10],
      [123456789, 0],
      [123456789, 7],
    ];
    const encoded = pairs.map(([b, l]) => encodeCheckpoint(b, l));
    expect([...encoded].sort()).toEqual(encoded);
    expect(new Set(encoded.map((e) => e.length))).toEqual(new Set([24]));
  });
});
