import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { verifyPayload } from "../../lib/verify/verifyPayload.js";
import type { VerifyOptions, VerifyResult } from "../../lib/verify/verifyPayload.js";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import type { DecodedPayload } from "../../lib/schemas/payload.js";
import { makeBatch } from "./batch.js";
import { checkKeyStatus } from "../../lib/verify/checkKeyStatus.js";
import { keyStatusSchema } from "../../lib/schemas/keyStatus.js";

const SUPPLIER: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const RETAILER: Address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const LEDGER: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const b = makeBatch({
  supplier: SUPPLIER,
  ledger: LEDGER,
  chainId: 31337,
  label: "verify tests",
  count: 37,
  shardSize: 8,
  caseInsensitive: true,
});

const online = (patch: Parameters<typeof b.status>[0] = {}, extra: VerifyOptions = {}): VerifyOptions => ({
  expectedChainId: 31337,
  fetchStatus: async (q) => {
    expect(q).toMatchObject({ chainId: 31337, batchId: b.batchId });
    return b.status(patch);
  },
  fetchShard: b.fetchShard,
  ...extra,
});
const names = (r: VerifyResult) => Object.fromEntries(r.checks.map((c) => [c.name, c.ok]));

describe("verifyPayload verdicts", () => {
  it("genuine, full form, from a link", async () => {
    const r = await verifyPayload(payloadUrl("https://verify.example", b.full(5)), online());
    expect(r.verdict).toBe("genuine");
    expect(r).toMatchObject({
      batchId: b.batchId,
      index: 5,
      holder: SUPPLIER,
      supplier: SUPPLIER,
      root: b.root,
      computedRoot: b.root,
      keyCheck: "not-checked",
      checked: "code",
    });
    expect(names(r)).toMatchObject({ decode: true, chain: true, proof: true, root: true, status: true });
    expect(r.checks.find((c) => c.name === "proof")!.online).toBe(false);
  });

  it("genuine, short form: the proof comes from the shard (first guess of shard size corrected by the shard header)", async () => {
    const asked: number[] = [];
    const r = await verifyPayload(
      b.short(29),
      online({}, { fetchShard: async (id, s) => (asked.push(s), b.fetchShard(id, s)) }),
    );
    expect(r.verdict).toBe("genuine");
    expect(asked).toEqual([0, 3]);
    expect(r.commitment).toBe(b.commitments[29]);
    expect(names(r)).toMatchObject({ shard: true, proof: true });
  });

  it("genuine with the typed key, messy as people type it (full-width, lower case, dashes)", async () => {
    const k = b.keys[11]!;
    const typed = {
      serial: k.serial.split("").join(" "),
      pin: [...k.pin.toLowerCase()].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("－"),
    };
    const r = await verifyPayload(b.short(11), online({}, { key: typed }));
    expect(r.verdict).toBe("genuine");
    expect(r.keyCheck).toBe("match");
    expect(r.checked).toBe("key");
  });

  it("not-in-batch: the typed key does not match (checked before any network call, full form)", async () => {
    let called = false;
    const r = await verifyPayload(b.full(3), {
      fetchStatus: async () => ((called = true), b.status()),
      key: { serial: b.keys[3]!.serial, pin: "WRONG" },
    });
    expect(r).toMatchObject({ verdict: "not-in-batch", cause: "key", keyCheck: "mismatch", checked: "code" });
    expect(called).toBe(false);
  });

  it("not-in-batch: a tampered commitment breaks the proof", async () => {
    const d = decodePayload(b.full(4));
    const r = await verifyPayload({ ...d, commitment: b.commitments[5]! }, online());
    expect(r).toMatchObject({ verdict: "not-in-batch", cause: "proof" });
    expect(r.computedRoot).not.toBe(b.root);
  });

  it("not-in-batch: a payload commitment that differs from the published shard", async () => {
    const r = await verifyPayload(b.short(4, { commitment: b.commitments[6]! }), online());
    expect(r).toMatchObject({ verdict: "not-in-batch", cause: "commitment" });
  });

  it("not-in-batch: no such batch on the ledger (zero root)", async () => {
    const r = await verifyPayload(b.full(4), online({ root: `0x${"0".repeat(64)}` as Hex }));
    expect(r).toMatchObject({ verdict: "not-in-batch", cause: "batch-unknown" });
  });

  it("not-in-batch: index beyond the batch's count", async () => {
    const d = decodePayload(b.full(4));
    const r = await verifyPayload({ ...d, index: 40 }, online());
    expect(r).toMatchObject({ verdict: "not-in-batch", cause: "index-out-of-range" });
  });

  it("revoked, with the reason", async () => {
    const r = await verifyPayload(b.full(2), online({ frozenReason: "stolen" }));
    expect(r).toMatchObject({ verdict: "revoked", reason: "stolen" });
    expect(r.message).toMatch(/revoked .*stolen/);
  });

  it("redeemed", async () => {
    expect((await verifyPayload(b.full(2), online({ redeemed: true }))).verdict).toBe("redeemed");
  });

  it("holder-mismatch: the seller named in the payload does not hold the key, and who does", async () => {
    const r = await verifyPayload(b.full(2, { seller: RETAILER }), online());
    expect(r).toMatchObject({ verdict: "holder-mismatch", seller: RETAILER.toLowerCase(), holder: SUPPLIER });
    expect(r.message).toContain(SUPPLIER);
    const ok = await verifyPayload(b.full(2, { seller: RETAILER }), online({ holder: RETAILER }));
    expect(ok.verdict).toBe("genuine");
    expect(names(ok).seller).toBe(true);
    const named = await verifyPayload(b.full(2), online({}, { seller: RETAILER }));
    expect(named.verdict).toBe("holder-mismatch");
  });

  it("wrong-chain: says which chain the code is for; a different ledger too", async () => {
    const r = await verifyPayload(b.full(1), online({}, { expectedChainId: 8453 }));
    expect(r).toMatchObject({ verdict: "wrong-chain", payloadChainId: 31337, expectedChainId: 8453 });
    expect(r.message).toMatch(/chain 31337/);
    const l = await verifyPayload(b.full(1), online({}, { expectedLedger: RETAILER }));
    expect(l.verdict).toBe("wrong-chain");
  });

  it.each([
    ["garbage", "not a payload!", "BASE64"],
    ["empty link fragment", "https://verify.example/v/#", "URL"],
    ["truncated", () => b.full(1).slice(0, 100), "TRUNCATED"],
  ])("malformed: %s", async (_n, input, code) => {
    const r = await verifyPayload(typeof input === "function" ? input() : input, online());
    expect(r).toMatchObject({ verdict: "malformed", code });
    expect(names(r)).toEqual({ decode: false });
  });

  it("malformed: a hostile decoded object is re-checked, not trusted", async () => {
    const d = decodePayload(b.full(1));
    const r = await verifyPayload({ ...d, proof: ["0x1234"] } as unknown as DecodedPayload, online());
    expect(r).toMatchObject({ verdict: "malformed", code: "FIELD" });
  });

  it("unreachable: the chain cannot be read; says the proof is consistent with a root it could not confirm", async () => {
    const r = await verifyPayload(b.full(9), {
      ...online(),
      fetchStatus: async () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:8545")),
    });
    expect(r.verdict).toBe("unreachable");
    if (r.verdict !== "unreachable") return;
    expect(r.computedRoot).toBe(b.root);
    expect(r.offline.join("; ")).toContain(`consistent with root ${b.root}`);
    expect(names(r)).toMatchObject({ status: false, proof: null });
    expect(String(r.error)).toMatch(/ECONNREFUSED/);
  });

  it("unreachable: short form without a shard source; the typed key is still checked when the payload has the commitment", async () => {
    const r = await verifyPayload(b.short(9), { fetchStatus: async () => b.status() });
    expect(r.verdict).toBe("unreachable");
    const k = await verifyPayload(b.short(9, { commitment: b.commitments[9]! }), { key: { serial: "x", pin: "y" } });
    expect(k).toMatchObject({ verdict: "not-in-batch", cause: "key" });
    const shardDown = await verifyPayload(
      b.short(9),
      online({}, { fetchShard: async () => Promise.reject(new Error("HTTP 503")) }),
    );
    expect(shardDown.verdict).toBe("unreachable");
    expect(names(shardDown).shard).toBe(false);
  });

  it("offline with a known root: membership only, status marked as not read", async () => {
    const r = await verifyPayload(b.full(30), { root: b.root });
    expect(r.verdict).toBe("genuine");
    expect(names(r)).toMatchObject({ proof: true, status: null });
    expect((await verifyPayload(b.full(30), { root: b.tree.root.replace(/.$/, "0") as Hex })).verdict).toBe(
      "not-in-batch",
    );
    expect((await verifyPayload(b.full(30), {})).verdict).toBe("unreachable");
  });

  it("a malformed status from the status source is reported, not trusted", async () => {
    const r = await verifyPayload(b.full(3), {
      fetchStatus: async () => ({ ...b.status(), frozenReason: 7 }) as never,
    });
    expect(r.verdict).toBe("unreachable");
    expect(String((r as { error: unknown }).error)).toMatch(/malformed data: frozenReason/);
  });

  it("checkKeyStatus (zod-free, for the portal bundle) agrees with keyStatusSchema", () => {
    const good = b.status();
    const variants: unknown[] = [
      good,
      { ...good, frozenReason: "stolen" },
      { ...good, frozenReason: 1 },
      { ...good, count: -1 },
      { ...good, count: 1.5 },
      { ...good, root: "0x12" },
      { ...good, holder: "0xnothex" },
      { ...good, redeemed: "no" },
      { ...good, extra: 1 },
      null,
      7,
      {},
      { ...good, expiresAt: 2 ** 60 },
      { ...good, supplier: undefined },
    ];
    for (const v of variants)
      expect(checkKeyStatus(v).length === 0, JSON.stringify(v)).toBe(keyStatusSchema.safeParse(v).success);
  });

  it("a corrupt shard is reported, not trusted", async () => {
    const r = await verifyPayload(b.short(3), online({}, { fetchShard: async () => new Uint8Array(40) }));
    expect(r.verdict).toBe("unreachable");
    expect(r.checks.find((c) => c.name === "shard")!.detail).toMatch(/proof shard/i);
  });

  it("never throws, whatever the input", async () => {
    for (const x of [
      undefined,
      null,
      42,
      {},
      [],
      "#",
      encodePayload({
        form: "short",
        chainId: 1,
        ledger: LEDGER,
        batchId: b.batchId,
        index: 0,
        salt: b.salts[0]!,
      }).slice(0, -1),
    ]) {
      const r = await verifyPayload(x as unknown as string, online());
      expect(r.verdict).toBe("malformed");
    }
  });
});
