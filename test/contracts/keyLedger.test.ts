import hre from "hardhat";
import { encodeDeployData, keccak256, parseEventLogs, toHex, zeroHash, type Address, type Hex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { keyLedgerBytecode } from "../../lib/abi/keyLedgerBytecode.js";
import KeyLedgerModule from "../../ignition/modules/KeyLedger.js";
import { Kind, Reason, anchorParams, batchIdOf, deployLedger, revertOf } from "./helpers.js";

type Env = Awaited<ReturnType<typeof deployLedger>>;
const FULL = (1n << 256n) - 1n;
const MEMO = keccak256(toHex("order 42"));

describe("KeyLedger through viem on the in-process chain", () => {
  let env: Env;
  let supplier: Address;
  let dist: Address;
  let retail: Address;
  let regulator: Address;
  let redeemer: Address;
  let far: bigint;

  beforeAll(async () => {
    env = await deployLedger();
    const { as, wait, addr, w } = env;
    [supplier, dist, retail, regulator, redeemer] = [w.supplier, w.dist, w.retail, w.regulator, w.redeemer].map(
      addr,
    ) as [Address, Address, Address, Address, Address];
    far = BigInt((await env.nowSeconds()) + 365 * 86_400);
    const admin = as(w.admin);
    await wait(
      await admin.write.registerParty([supplier, Kind.Supplier, keccak256(toHex("licence")), "ipfs://s", far]),
    );
    await wait(await admin.write.registerParty([dist, Kind.Distributor, zeroHash, "ipfs://d", far]));
    await wait(await admin.write.registerParty([retail, Kind.Retailer, zeroHash, "ipfs://r", 0n]));
    await wait(await admin.write.grantRole([await admin.read.REGULATOR_ROLE(), regulator]));
    await wait(await as(w.supplier).write.setRedeemer([redeemer, true]));
  });

  it("has the committed ABI of the compiled artifact (run scripts/gen-abi.ts after changing the contract)", async () => {
    const artifact = await hre.artifacts.readArtifact("KeyLedger");
    expect(keyLedgerAbi).toEqual(artifact.abi);
    expect(keyLedgerBytecode).toBe(artifact.bytecode);
  });

  it("deploys from the committed bytecode without Hardhat artifacts", async () => {
    const [wallet] = await env.viem.getWalletClients();
    const hash = await wallet!.sendTransaction({
      data: encodeDeployData({ abi: keyLedgerAbi, bytecode: keyLedgerBytecode, args: [env.addr(env.w.stranger)] }),
    });
    const receipt = await env.publicClient.waitForTransactionReceipt({ hash });
    const address = receipt.contractAddress!;
    const registrar = await env.publicClient.readContract({
      address,
      abi: keyLedgerAbi,
      functionName: "REGISTRAR_ROLE",
    });
    expect(registrar).toBe(keccak256(toHex("REGISTRAR_ROLE")));
    const has = await env.publicClient.readContract({
      address,
      abi: keyLedgerAbi,
      functionName: "hasRole",
      args: [registrar, env.addr(env.w.stranger)],
    });
    expect(has).toBe(true);
  });

  it("anchors a batch and emits BatchAnchored with every field", async () => {
    const p = anchorParams("viem-1", 1_000_000n, false, far);
    const receipt = await env.wait(await env.as(env.w.supplier).write.anchorBatch([p]));
    const [ev] = parseEventLogs({ abi: keyLedgerAbi, logs: receipt.logs, eventName: "BatchAnchored" });
    const id = batchIdOf(supplier, "viem-1");
    expect(ev!.args).toEqual({ batchId: id, supplier, ...p });
    const [root, s, count, expiresAt, restricted] = await env.as(env.w.stranger).read.batchOf([id]);
    expect({ root, s, count, expiresAt, restricted }).toEqual({
      root: p.root,
      s: supplier,
      count: 1_000_000n,
      expiresAt: far,
      restricted: false,
    });
    expect(await env.as(env.w.stranger).read.batchIdOf([supplier, "viem-1"])).toBe(id);
  });

  it("rejects the same label twice with KeyLedgerBatchExists(batchId, label)", async () => {
    const e = await revertOf(env.as(env.w.supplier).write.anchorBatch([anchorParams("viem-1", 5n)]));
    expect(e).toEqual({ errorName: "KeyLedgerBatchExists", args: [batchIdOf(supplier, "viem-1"), "viem-1"] });
  });

  it("transfers a range, emits CustodyTransferred and reports keyStatus in one call", async () => {
    const id = batchIdOf(supplier, "viem-1");
    const receipt = await env.wait(await env.as(env.w.supplier).write.transfer([id, 1000n, 2000n, dist, 0n, MEMO]));
    const events = parseEventLogs({ abi: keyLedgerAbi, logs: receipt.logs });
    expect(events.map((e) => e.eventName)).toEqual(["CustodyTransferred"]);
    expect(events[0]!.args).toEqual({ batchId: id, from: supplier, to: dist, start: 1000n, end: 2000n, memo: MEMO });
    const status = await env.as(env.w.stranger).read.keyStatus([id, 1500n, 1000n]);
    expect(status).toMatchObject({
      supplier,
      count: 1_000_000n,
      holder: dist,
      segmentStart: 1000n,
      segmentEnd: 2000n,
      frozenReason: Reason.None,
      redeemed: false,
      restricted: false,
    });
    expect(await env.as(env.w.stranger).read.holderOf([id, 999n])).toBe(supplier);
    expect(await env.as(env.w.stranger).read.holderOf([id, 2000n])).toBe(supplier);
  });

  it("names the holder when the sender does not hold the range, and the bad hint", async () => {
    const id = batchIdOf(supplier, "viem-1");
    expect(await revertOf(env.as(env.w.supplier).write.transfer([id, 1500n, 2500n, retail, 0n, MEMO]))).toEqual({
      errorName: "KeyLedgerRangeNotHeld",
      args: [id, 1500n, 2500n, dist],
    });
    expect(await revertOf(env.as(env.w.supplier).write.transfer([id, 3000n, 3010n, retail, 1500n, MEMO]))).toEqual({
      errorName: "KeyLedgerBadHint",
      args: [id, 1500n, 3000n],
    });
    expect(
      await revertOf(env.as(env.w.supplier).write.transfer([id, 0n, 10n, env.addr(env.w.stranger), 0n, MEMO])),
    ).toEqual({
      errorName: "KeyLedgerPartyNotRegistered",
      args: [env.addr(env.w.stranger)],
    });
  });

  it("moves several ranges with transferMany, one event per range in order", async () => {
    const id = batchIdOf(supplier, "viem-1");
    const items = [
      { batchId: id, start: 10n, end: 20n, to: dist, hint: 0n },
      { batchId: id, start: 20n, end: 30n, to: retail, hint: 20n },
      { batchId: id, start: 5000n, end: 6000n, to: retail, hint: 2000n },
    ];
    const receipt = await env.wait(await env.as(env.w.supplier).write.transferMany([items, MEMO]));
    const events = parseEventLogs({ abi: keyLedgerAbi, logs: receipt.logs, eventName: "CustodyTransferred" });
    expect(events.map((e) => [e.args.start, e.args.end, e.args.to])).toEqual(items.map((i) => [i.start, i.end, i.to]));
  });

  it("freezes with revoke: frozen keys cannot move or be redeemed; reinstate unfreezes", async () => {
    const id = batchIdOf(supplier, "viem-1");
    const receipt = await env.wait(
      await env.as(env.w.regulator).write.revoke([id, 1200n, 1300n, Reason.Stolen, 1000n]),
    );
    const [ev] = parseEventLogs({ abi: keyLedgerAbi, logs: receipt.logs, eventName: "KeysRevoked" });
    expect(ev!.args).toEqual({ batchId: id, by: regulator, start: 1200n, end: 1300n, reason: Reason.Stolen });
    expect(await revertOf(env.as(env.w.dist).write.transfer([id, 1000n, 2000n, retail, 1000n, MEMO]))).toEqual({
      errorName: "KeyLedgerRangeFrozen",
      args: [id, 1200n, 1300n, Reason.Stolen],
    });
    // Word 4 = [1024, 1280): its bits 176.. are the frozen keys 1200..1279.
    expect(
      await revertOf(env.as(env.w.redeemer).write.redeem([[{ batchId: id, wordIndex: 4n, mask: FULL, hint: 1000n }]])),
    ).toEqual({
      errorName: "KeyLedgerRangeFrozen",
      args: [id, 1200n, 1280n, Reason.Stolen],
    });
    expect((await env.as(env.w.stranger).read.keyStatus([id, 1250n, 0n])).frozenReason).toBe(Reason.Stolen);
    expect(await revertOf(env.as(env.w.dist).write.revoke([id, 1200n, 1300n, Reason.Other, 0n]))).toEqual({
      errorName: "KeyLedgerNotBatchAuthority",
      args: [id, dist],
    });
    const r2 = await env.wait(await env.as(env.w.supplier).write.reinstate([id, 1200n, 1300n, 1200n]));
    const [ev2] = parseEventLogs({ abi: keyLedgerAbi, logs: r2.logs, eventName: "KeysReinstated" });
    expect(ev2!.args).toEqual({ batchId: id, by: supplier, start: 1200n, end: 1300n });
    await env.wait(await env.as(env.w.dist).write.transfer([id, 1200n, 1300n, retail, 1200n, MEMO]));
    expect(await env.as(env.w.stranger).read.holderOf([id, 1250n])).toBe(retail);
  });

  it("redeems 256 keys per word and rejects a second redemption with the overlapping bits", async () => {
    const id = batchIdOf(supplier, "viem-1");
    const receipt = await env.wait(
      await env.as(env.w.redeemer).write.redeem([[{ batchId: id, wordIndex: 100n, mask: FULL, hint: 6000n }]]),
    );
    const [ev] = parseEventLogs({ abi: keyLedgerAbi, logs: receipt.logs, eventName: "KeysRedeemed" });
    expect(ev!.args).toEqual({ batchId: id, by: redeemer, wordIndex: 100n, mask: FULL });
    expect(await env.as(env.w.stranger).read.isRedeemed([id, 25_600n])).toBe(true);
    expect(await env.as(env.w.stranger).read.isRedeemed([id, 25_856n])).toBe(false);
    const again = await revertOf(
      env.as(env.w.supplier).write.redeem([[{ batchId: id, wordIndex: 100n, mask: 0b1010n, hint: 0n }]]),
    );
    expect(again).toEqual({ errorName: "KeyLedgerAlreadyRedeemed", args: [id, 100n, 0b1010n] });
    expect(
      await revertOf(env.as(env.w.dist).write.redeem([[{ batchId: id, wordIndex: 0n, mask: 1n, hint: 0n }]])),
    ).toEqual({
      errorName: "KeyLedgerNotRedeemer",
      args: [id, dist],
    });
    // Word 3906 = [999936, 1000192): only 64 keys exist.
    expect(
      await revertOf(
        env.as(env.w.supplier).write.redeem([[{ batchId: id, wordIndex: 3906n, mask: 1n << 64n, hint: 0n }]]),
      ),
    ).toEqual({
      errorName: "KeyLedgerInvalidMask",
      args: [id, 3906n, 1n << 64n],
    });
  });

  it("enforces restricted batches: only authorised recipients, valid now", async () => {
    const supplierLedger = env.as(env.w.supplier);
    await env.wait(await supplierLedger.write.anchorBatch([anchorParams("viem-restricted", 100n, true, far)]));
    const id = batchIdOf(supplier, "viem-restricted");
    expect(await revertOf(supplierLedger.write.transfer([id, 0n, 10n, dist, 0n, MEMO]))).toEqual({
      errorName: "KeyLedgerRecipientNotAuthorized",
      args: [id, supplier, dist],
    });
    const cert = keccak256(toHex("授权书 2026"));
    const receipt = await env.wait(await supplierLedger.write.authorize([dist, 1, far, cert]));
    const [ev] = parseEventLogs({ abi: keyLedgerAbi, logs: receipt.logs, eventName: "DistributorAuthorized" });
    expect(ev!.args).toEqual({ supplier, distributor: dist, tier: 1, expiresAt: far, certificateHash: cert });
    await env.wait(await supplierLedger.write.transfer([id, 0n, 10n, dist, 0n, MEMO]));
    expect(await env.as(env.w.stranger).read.authorizationOf([supplier, dist])).toEqual([1, far, cert, true]);
  });

  it("reverts role-gated calls with OpenZeppelin's AccessControlUnauthorizedAccount", async () => {
    const e = await revertOf(
      env.as(env.w.stranger).write.registerParty([env.addr(env.w.stranger), Kind.Retailer, zeroHash, "", 0n]),
    );
    expect(e).toEqual({
      errorName: "AccessControlUnauthorizedAccount",
      args: [env.addr(env.w.stranger), keccak256(toHex("REGISTRAR_ROLE"))],
    });
  });

  it("lets an indexer rebuild custody from the events alone", async () => {
    const logs = await env.publicClient.getLogs({ address: env.address, fromBlock: 0n });
    const events = parseEventLogs({ abi: keyLedgerAbi, logs });
    // Naive replay: per batch, a sorted list of [start, end, holder, reason] ranges.
    type Range = { start: bigint; end: bigint; holder: Address; reason: number };
    const state = new Map<Hex, Range[]>();
    const assign = (id: Hex, start: bigint, end: bigint, f: (r: Range) => Partial<Range>) => {
      const out: Range[] = [];
      for (const r of state.get(id)!) {
        if (r.end <= start || r.start >= end) {
          out.push(r);
          continue;
        }
        if (r.start < start) out.push({ ...r, end: start });
        const a = r.start > start ? r.start : start;
        const b = r.end < end ? r.end : end;
        out.push({ ...r, start: a, end: b, ...f(r) });
        if (r.end > end) out.push({ ...r, start: end });
      }
      state.set(id, out);
    };
    for (const e of events) {
      if (e.eventName === "BatchAnchored")
        state.set(e.args.batchId, [{ start: 0n, end: e.args.count, holder: e.args.supplier, reason: 0 }]);
      if (e.eventName === "CustodyTransferred")
        assign(e.args.batchId, e.args.start, e.args.end, () => ({ holder: e.args.to }));
      if (e.eventName === "KeysRevoked")
        assign(e.args.batchId, e.args.start, e.args.end, () => ({ reason: e.args.reason }));
      if (e.eventName === "KeysReinstated") assign(e.args.batchId, e.args.start, e.args.end, () => ({ reason: 0 }));
    }
    expect(state.size).toBeGreaterThanOrEqual(2);
    const reader = env.as(env.w.stranger);
    for (const [id, ranges] of state) {
      // The ledger's segments split exactly where the replayed ranges do.
      for (const r of ranges) {
        const [holder, end, reason] = await reader.read.segmentAt([id, r.start]);
        expect({ holder, end, reason }).toEqual({ holder: r.holder, end: r.end, reason: r.reason });
      }
    }
  });

  it("deploys with the Ignition module: admin defaults to account 0, or the given parameter", async () => {
    const conn = (await hre.network.connect()) as unknown as {
      ignition: { deploy: (m: unknown, o?: unknown) => Promise<{ keyLedger: { address: Address } }> };
      viem: typeof env.viem;
    };
    const [first, second] = await conn.viem.getWalletClients();
    const pc = await conn.viem.getPublicClient();
    const registrar = keccak256(toHex("REGISTRAR_ROLE"));
    const a = await conn.ignition.deploy(KeyLedgerModule);
    expect(
      await pc.readContract({
        address: a.keyLedger.address,
        abi: keyLedgerAbi,
        functionName: "hasRole",
        args: [registrar, first!.account.address],
      }),
    ).toBe(true);

    const conn2 = (await hre.network.connect()) as unknown as typeof conn;
    const pc2 = await conn2.viem.getPublicClient();
    const b = await conn2.ignition.deploy(KeyLedgerModule, {
      parameters: { KeyLedgerModule: { admin: second!.account.address } },
    });
    const hasRole = (who: Address) =>
      pc2.readContract({
        address: b.keyLedger.address,
        abi: keyLedgerAbi,
        functionName: "hasRole",
        args: [registrar, who],
      });
    expect(await hasRole(second!.account.address)).toBe(true);
    expect(await hasRole(first!.account.address)).toBe(false);
  });
});
