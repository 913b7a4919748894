import { describe, expect, it } from "vitest";
import { encodeAbiParameters, encodeEventTopics, type AbiEvent, type Hex } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { createLedgerLogDecoder } from "../../lib/events/createLedgerLogDecoder.js";

function log(abi: readonly unknown[], name: string, args: Record<string, unknown>): { topics: Hex[]; data: Hex } {
  const ev = (abi as AbiEvent[]).find((x) => x.type === "event" && x.name === name)!;
  const topics = encodeEventTopics({ abi: [ev], eventName: name, args: args as never }) as Hex[];
  const nonIndexed = ev.inputs.filter((i) => !i.indexed);
  return { topics, data: encodeAbiParameters(nonIndexed, nonIndexed.map((i) => args[i.name!]) as never) };
}

const a = (d: string) => `0x${d.repeat(40)}` as Hex;
const h = (d: string) => `0x${d.repeat(64)}` as Hex;
const register = (party: Hex) => ({
  party,
  kind: 1,
  profileHash: h("0"),
  profileURI: "",
  accreditedUntil: 0n,
  registrar: a("a"),
});

describe("createLedgerLogDecoder (v1 logs in v2 shapes)", () => {
  it("maps version 1 logs: ids in registration order, byRegulator and saleRequired false, registrar -> by", () => {
    const d = createLedgerLogDecoder();
    expect(d.ledgerVersion).toBeNull();
    expect(d.decode(log(keyLedgerAbi, "PartyRegistered", register(a("1"))))).toMatchObject({ args: { id: 1 } });
    expect(d.ledgerVersion).toBe(1);
    expect(d.decode(log(keyLedgerAbi, "PartyRegistered", register(a("2"))))).toMatchObject({ args: { id: 2 } });
    const revoked = d.decode(
      log(keyLedgerAbi, "KeysRevoked", { batchId: h("4"), by: a("1"), start: 1n, end: 2n, reason: 1 }),
    );
    expect(revoked).toEqual({
      eventName: "KeysRevoked",
      args: { batchId: h("4"), by: a("1"), start: 1n, end: 2n, reason: 1, byRegulator: false },
    });
    const suspended = d.decode(
      log(keyLedgerAbi, "PartySuspended", { party: a("2"), reasonHash: h("e"), registrar: a("a") }),
    );
    expect(suspended).toEqual({
      eventName: "PartySuspended",
      args: { party: a("2"), reasonHash: h("e"), by: a("a"), byRegulator: false },
    });
    const reinstated = d.decode(log(keyLedgerAbi, "PartyReinstated", { party: a("2"), registrar: a("a") }));
    expect(reinstated).toEqual({ eventName: "PartyReinstated", args: { party: a("2"), by: a("a") } });
    const anchored = d.decode(
      log(keyLedgerAbi, "BatchAnchored", {
        batchId: h("4"),
        supplier: a("1"),
        label: "L",
        root: h("5"),
        count: 3n,
        productId: h("0"),
        faceValue: 1n,
        currency: "0x434e59",
        expiresAt: 0n,
        restricted: true,
        manifestHash: h("6"),
        manifestURI: "",
      }),
    );
    expect(anchored).toMatchObject({ eventName: "BatchAnchored", args: { restricted: true, saleRequired: false } });
    expect(d.ledgerVersion).toBe(1);
  });

  it("passes version 2 logs through and continues ids after them; unknown topics are null", () => {
    const d = createLedgerLogDecoder();
    expect(d.decode(log(keyLedgerV2Abi, "PartyRegistered", { ...register(a("1")), id: 7 }))).toMatchObject({
      args: { id: 7 },
    });
    expect(d.ledgerVersion).toBe(2);
    expect(d.decode({ topics: [h("0")], data: "0x" })).toBeNull();
  });
});
