import hre from "hardhat";
import {
  concat,
  encodePacked,
  keccak256,
  toBytes,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { describe, expect, it } from "vitest";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { keyLedgerBytecode } from "../../lib/abi/keyLedgerBytecode.js";
import { applyLedgerEvent } from "../../lib/state/v1/applyLedgerEvent.js";
import { applyLedgerEvents } from "../../lib/state/v1/applyLedgerEvents.js";
import { computeStateDigest } from "../../lib/state/v1/computeStateDigest.js";
import { createLedgerState } from "../../lib/state/v1/createLedgerState.js";
import { diffSnapshots } from "../../lib/state/v1/diffSnapshots.js";
import { encodeSnapshot } from "../../lib/state/v1/encodeSnapshot.js";
import { InvalidSnapshotError } from "../../lib/state/v1/errors.js";
import { toSnapshot } from "../../lib/state/v1/toSnapshot.js";
import type { LedgerEvent, LedgerSnapshot } from "../../lib/state/v1/types.js";
import { fetchLedgerEvents } from "../../audit/replay/fetchLedgerEvents.js";
import { decodeLedgerLog as decodeLedgerLogV1 } from "../../lib/events/v1/decodeLedgerLog.js";
import { applyLedgerEvents as applyLedgerEventsV2 } from "../../lib/state/applyLedgerEvents.js";
import { createLedgerState as createLedgerStateV2 } from "../../lib/state/createLedgerState.js";
import { toSnapshotV1 } from "../../lib/state/v1/toSnapshotV1.js";
import { decodeEventLog } from "viem";
import { stateDigestVector } from "./stateDigestVector.js";
import { prng } from "../../scripts/util/prng.js";

/** An independent encoder of docs/STATE-DIGEST.md, written with viem's encodePacked. */
function independentEncoding(s: LedgerSnapshot): Hex {
  const str = (x: string) => {
    const b = toBytes(x);
    return concat([toHex(b.length, { size: 4 }), toHex(b)]);
  };
  const section = (tag: number, n: number) => encodePacked(["uint8", "uint32"], [tag, n]);
  const parts: Hex[] = [toHex(toBytes("keytrail-state-digest-v1"))];
  parts.push(section(1, s.parties.length));
  for (const p of s.parties) {
    parts.push(
      encodePacked(
        ["address", "uint8", "bool", "uint64", "bytes32"],
        [p.address, p.kind, p.suspended, p.accreditedUntil, p.profileHash],
      ),
      str(p.profileURI),
    );
  }
  parts.push(section(2, s.authorizations.length));
  for (const a of s.authorizations)
    parts.push(
      encodePacked(
        ["address", "address", "uint8", "uint64", "bytes32"],
        [a.supplier, a.distributor, a.tier, a.expiresAt, a.certificateHash],
      ),
    );
  parts.push(section(3, s.redeemers.length));
  for (const r of s.redeemers) parts.push(encodePacked(["address", "address"], [r.supplier, r.redeemer]));
  parts.push(section(4, s.batches.length));
  for (const b of s.batches) {
    parts.push(
      encodePacked(
        ["bytes32", "address", "bytes32", "uint64", "bytes32", "uint128", "bytes3", "uint64", "bool", "bytes32"],
        [
          b.batchId,
          b.supplier,
          b.root,
          b.count,
          b.productId,
          b.faceValue,
          b.currency,
          b.expiresAt,
          b.restricted,
          b.manifestHash,
        ],
      ),
      str(b.label),
      str(b.manifestURI),
    );
  }
  parts.push(section(5, s.segments.length));
  for (const g of s.segments)
    parts.push(
      encodePacked(
        ["bytes32", "uint64", "uint64", "address", "uint8"],
        [g.batchId, g.start, g.end, g.holder, g.frozenReason],
      ),
    );
  parts.push(section(6, s.redemptions.length));
  for (const w of s.redemptions)
    parts.push(encodePacked(["bytes32", "uint64", "uint256"], [w.batchId, w.wordIndex, w.mask]));
  return concat(parts);
}

describe("state digest version 1 (history: lib/state/v1, docs/STATE-DIGEST.md)", () => {
  it("reproduces the documented test vector, and an independent encoder agrees byte for byte", () => {
    const { snapshot, encodingHex, digest } = stateDigestVector;
    expect(toHex(encodeSnapshot(snapshot))).toBe(encodingHex);
    expect(independentEncoding(snapshot)).toBe(encodingHex);
    expect(computeStateDigest(snapshot)).toBe(digest);
    expect(keccak256(encodingHex as Hex)).toBe(digest);
  });

  it("does not depend on list order, letter case, segment splits or zero redemption words", () => {
    const { snapshot, digest } = stateDigestVector;
    const messy: LedgerSnapshot = structuredClone(snapshot);
    const [s0, s1] = messy.segments;
    messy.segments = [
      { ...s1!, batchId: s1!.batchId.toUpperCase().replace("0X", "0x") as Hex, end: 150n },
      { ...s1!, start: 150n, holder: s1!.holder.toUpperCase().replace("0X", "0x") as Address },
      { ...s0!, end: 40n },
      { ...s0!, start: 40n },
    ];
    messy.redemptions.push({ batchId: snapshot.batches[0]!.batchId, wordIndex: 1n, mask: 0n });
    messy.parties.reverse();
    expect(computeStateDigest(messy)).toBe(digest);
  });

  it("changes with any field", () => {
    const { snapshot, digest } = stateDigestVector;
    const variants: ((s: LedgerSnapshot) => void)[] = [
      (s) => (s.parties[0]!.suspended = true),
      (s) => (s.parties[0]!.profileURI = "ipfs://q"),
      (s) => (s.authorizations[0]!.expiresAt += 1n),
      (s) => (s.redeemers = []),
      (s) => (s.batches[0]!.label = "Q2"),
      (s) => (s.batches[0]!.faceValue += 1n),
      (s) => (s.segments[1]!.frozenReason = 2),
      (s) => (s.segments[0]!.end = 99n),
      (s) => (s.redemptions[0]!.mask = 4n),
    ];
    const seen = new Set<string>([digest]);
    for (const change of variants) {
      const s = structuredClone(snapshot);
      change(s);
      const d = (() => {
        try {
          return computeStateDigest(s);
        } catch {
          return "throws";
        }
      })();
      expect(seen.has(d)).toBe(false);
      seen.add(d);
    }
  });

  it("refuses malformed snapshots with the field named", () => {
    const s = structuredClone(stateDigestVector.snapshot);
    s.parties[0]!.address = "0x1234" as Address;
    expect(() => computeStateDigest(s)).toThrow(InvalidSnapshotError);
    expect(() => computeStateDigest(s)).toThrow(/party\.address/);
    const d = structuredClone(stateDigestVector.snapshot);
    d.batches.push({ ...d.batches[0]! });
    expect(() => computeStateDigest(d)).toThrow(/duplicate batch/);
  });
});

type Chain = {
  publicClient: PublicClient;
  wallets: WalletClient[];
  ledger: Address;
  deployBlock: bigint;
  send(i: number, fn: string, args: readonly unknown[]): Promise<boolean>;
};

async function deploy(): Promise<Chain> {
  const { viem } = (await hre.network.connect()) as unknown as {
    viem: { getWalletClients(): Promise<WalletClient[]>; getPublicClient(): Promise<PublicClient> };
  };
  const wallets = await viem.getWalletClients();
  const publicClient = await viem.getPublicClient();
  const w0 = wallets[0]!;
  const hash = await w0.deployContract({
    abi: keyLedgerAbi,
    bytecode: keyLedgerBytecode,
    args: [w0.account!.address],
    account: w0.account!,
    chain: w0.chain,
  });
  const r = await publicClient.waitForTransactionReceipt({ hash });
  const ledger = r.contractAddress!;
  return {
    publicClient,
    wallets,
    ledger,
    deployBlock: r.blockNumber,
    async send(i, fn, args) {
      const w = wallets[i]!;
      try {
        const h = await w.writeContract({
          address: ledger,
          abi: keyLedgerAbi,
          functionName: fn as never,
          args: args as never,
          account: w.account!,
          chain: w.chain,
          gas: 3_000_000n,
        });
        return (await publicClient.waitForTransactionReceipt({ hash: h })).status === "success";
      } catch {
        return false;
      }
    },
  };
}

describe("lib/state/v1 reducer against the version 1 contract", () => {
  it("rebuilds exactly what the contract's views say after a random sequence of operations", async () => {
    const c = await deploy();
    const rand = prng(20261122);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const addr = (i: number) => c.wallets[i]!.account!.address;
    const zero = `0x${"00".repeat(32)}` as Hex;
    const suppliers = [1, 2];
    const others = [3, 4, 5, 6, 7];
    const now = Number((await c.publicClient.getBlock()).timestamp);
    await c.send(0, "grantRole", [keccak256(toBytes("REGULATOR_ROLE")), addr(8)]);
    for (const s of suppliers)
      await c.send(0, "registerParty", [addr(s), 1, keccak256(toBytes(`p${s}`)), `uri:${s}`, 0n]);
    for (const o of others)
      await c.send(0, "registerParty", [
        addr(o),
        o < 6 ? 2 : 3,
        keccak256(toBytes(`p${o}`)),
        "",
        BigInt(now + 365 * 86400),
      ]);
    for (const s of suppliers)
      for (const o of others)
        if (rand() < 0.7)
          await c.send(s, "authorize", [
            addr(o),
            1 + Math.floor(rand() * 3),
            rand() < 0.5 ? 0n : BigInt(now + 86400 * 30),
            keccak256(toBytes(`a${s}${o}`)),
          ]);
    await c.send(1, "setRedeemer", [addr(9), true]);
    const batches: { id: Hex; count: number; supplier: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const s = suppliers[i % 2]!;
      const count = 300 + i * 37;
      const label = `rand-${i}`;
      await c.send(s, "anchorBatch", [
        {
          label,
          root: keccak256(toBytes(label)),
          count: BigInt(count),
          productId: zero,
          faceValue: 100n,
          currency: "0x434e59",
          expiresAt: 0n,
          restricted: i % 2 === 1,
          manifestHash: zero,
          manifestURI: "",
        },
      ]);
      const id = (await c.publicClient.readContract({
        address: c.ledger,
        abi: keyLedgerAbi,
        functionName: "batchIdOf",
        args: [addr(s), label],
      })) as Hex;
      batches.push({ id, count, supplier: s });
    }
    const everyone = [...suppliers, ...others];
    let ok = 0;
    for (let step = 0; step < 90; step++) {
      const b = pick(batches);
      const i = Math.floor(rand() * b.count);
      const st = (await c.publicClient.readContract({
        address: c.ledger,
        abi: keyLedgerAbi,
        functionName: "keyStatus",
        args: [b.id, BigInt(i), 0n],
      })) as {
        holder: Address;
        segmentStart: bigint;
        segmentEnd: bigint;
      };
      const holderIdx = everyone.find((x) => addr(x).toLowerCase() === st.holder.toLowerCase())!;
      const r = rand();
      const len = 1 + Math.floor(rand() * Math.min(40, Number(st.segmentEnd) - i));
      const start = BigInt(i);
      const end = BigInt(Math.min(i + len, Number(st.segmentEnd)));
      if (r < 0.55)
        ok += Number(
          await c.send(holderIdx, "transfer", [
            b.id,
            start,
            end,
            addr(pick(everyone.filter((x) => x !== holderIdx))),
            0n,
            zero,
          ]),
        );
      else if (r < 0.7)
        ok += Number(
          await c.send(rand() < 0.7 ? b.supplier : 8, "revoke", [b.id, start, end, 1 + Math.floor(rand() * 5), 0n]),
        );
      else if (r < 0.8) ok += Number(await c.send(b.supplier, "reinstate", [b.id, start, end, 0n]));
      else if (r < 0.92) {
        const word = Math.floor(i / 256);
        let mask = 0n;
        for (let k = 0; k < 256 && word * 256 + k < b.count; k++) if (rand() < 0.1) mask |= 1n << BigInt(k);
        if (mask)
          ok += Number(
            await c.send(rand() < 0.5 || b.supplier !== 1 ? b.supplier : 9, "redeem", [
              [{ batchId: b.id, wordIndex: BigInt(word), mask, hint: 0n }],
            ]),
          );
      } else if (r < 0.95)
        ok += Number(
          await c.send(
            0,
            rand() < 0.5 ? "suspendParty" : "reinstateParty",
            [addr(pick(others)), zero].slice(0, rand() < 0.5 ? 2 : 1),
          ),
        );
      else if (r < 0.98) ok += Number(await c.send(b.supplier, "deauthorize", [addr(pick(others))]));
      else
        ok += Number(
          await c.send(0, "updateParty", [
            addr(pick(others)),
            keccak256(toBytes(`u${step}`)),
            "updated",
            BigInt(now + 99),
          ]),
        );
    }
    expect(ok).toBeGreaterThan(40);

    const head = await c.publicClient.getBlockNumber();
    // The version 1 reducer's input: every log decoded with the version 1 decoder.
    const logs = await c.publicClient.getLogs({ address: c.ledger, fromBlock: c.deployBlock, toBlock: head });
    const times = new Map<bigint, bigint>();
    for (const l of logs) {
      if (!times.has(l.blockNumber)) {
        times.set(l.blockNumber, (await c.publicClient.getBlock({ blockNumber: l.blockNumber })).timestamp);
      }
    }
    const events: LedgerEvent[] = logs.map((l) => ({
      ...decodeLedgerLogV1({ topics: l.topics, data: l.data })!,
      blockNumber: l.blockNumber,
      blockHash: l.blockHash,
      logIndex: l.logIndex,
      txHash: l.transactionHash,
      timestamp: times.get(l.blockNumber)!,
    }));
    const state = applyLedgerEvents(createLedgerState(), events);
    const snap = toSnapshot(state);

    // The audit's replay of a version 1 ledger: its logs mapped into version 2 events
    // (createLedgerLogDecoder), the version 2 reducer, then the version 1 snapshot: the same digest.
    const mapped = await fetchLedgerEvents(c.publicClient, {
      ledger: c.ledger,
      fromBlock: c.deployBlock,
      toBlock: head,
      chunkSize: 16n,
    });
    expect(mapped.ledgerVersion).toBe(1);
    const viaV2 = toSnapshotV1(applyLedgerEventsV2(createLedgerStateV2(), mapped.events));
    expect(diffSnapshots(viaV2, snap)).toEqual([]);
    expect(computeStateDigest(viaV2)).toBe(computeStateDigest(snap));

    // The audit's fast decoder against viem's, on every log of the random history.
    const raw = await c.publicClient.getLogs({ address: c.ledger, fromBlock: c.deployBlock, toBlock: head });
    expect(raw).toHaveLength(events.length);
    const kinds = new Set<string>();
    raw.forEach((l, i) => {
      const ref = decodeEventLog({ abi: keyLedgerAbi, data: l.data, topics: l.topics });
      const args = Object.fromEntries(
        Object.entries(ref.args as Record<string, unknown>).map(([k, v]) => [
          k,
          typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v) ? v.toLowerCase() : v,
        ]),
      );
      expect({ eventName: events[i]!.eventName, args: events[i]!.args }).toEqual({ eventName: ref.eventName, args });
      kinds.add(ref.eventName);
    });
    expect(kinds.size).toBeGreaterThanOrEqual(13);

    // The contract's own views, walked independently of lib/state.
    const read = (functionName: string, args: readonly unknown[]) =>
      c.publicClient.readContract({
        address: c.ledger,
        abi: keyLedgerAbi,
        functionName: functionName as never,
        args: args as never,
      }) as Promise<unknown>;
    for (const b of batches) {
      const segs: { start: bigint; end: bigint; holder: string; frozenReason: number }[] = [];
      let pos = 0n;
      while (pos < BigInt(b.count)) {
        const [holder, end, frozenReason] = (await read("segmentAt", [b.id, pos])) as [Address, bigint, number];
        segs.push({ start: pos, end, holder: holder.toLowerCase(), frozenReason: Number(frozenReason) });
        pos = end;
      }
      expect(state.batches.get(b.id.toLowerCase() as Hex)!.segments.map((s) => ({ ...s }))).toEqual(segs);
      for (let w = 0; w * 256 < b.count; w++) {
        let mask = 0n;
        for (let k = 0; k < 256 && w * 256 + k < b.count; k++)
          if (await read("isRedeemed", [b.id, BigInt(w * 256 + k)])) mask |= 1n << BigInt(k);
        expect(state.batches.get(b.id.toLowerCase() as Hex)!.redeemed.get(BigInt(w)) ?? 0n).toBe(mask);
      }
      const [root, supplier, count, expiresAt, restricted] = (await read("batchOf", [b.id])) as [
        Hex,
        Address,
        bigint,
        bigint,
        boolean,
      ];
      expect(snap.batches.find((x) => x.batchId === b.id.toLowerCase())).toMatchObject({
        root,
        supplier: supplier.toLowerCase(),
        count,
        expiresAt,
        restricted,
      });
    }
    for (const p of everyone) {
      const [kind, suspended, accreditedUntil, profileHash] = (await read("partyOf", [addr(p)])) as [
        number,
        boolean,
        bigint,
        Hex,
      ];
      expect(snap.parties.find((x) => x.address === addr(p).toLowerCase())).toMatchObject({
        kind,
        suspended,
        accreditedUntil,
        profileHash,
      });
      for (const s of suppliers) {
        const [tier, expiresAt, certificateHash] = (await read("authorizationOf", [addr(s), addr(p)])) as [
          number,
          bigint,
          Hex,
          boolean,
        ];
        const mine = snap.authorizations.find(
          (a) => a.supplier === addr(s).toLowerCase() && a.distributor === addr(p).toLowerCase(),
        );
        if (tier === 0) expect(mine).toBeUndefined();
        else expect(mine).toMatchObject({ tier, expiresAt, certificateHash });
      }
    }
    expect(await read("isRedeemer", [addr(1), addr(9)])).toBe(
      snap.redeemers.some((r) => r.redeemer === addr(9).toLowerCase()),
    );

    // One event at a time (pure reducer), in chunks, and all at once: the same digest.
    const digest = computeStateDigest(snap);
    let folded = createLedgerState();
    for (const e of events) folded = applyLedgerEvent(folded, e);
    expect(computeStateDigest(toSnapshot(folded))).toBe(digest);
    let chunked = createLedgerState();
    for (let i = 0; i < events.length; i += 7) chunked = applyLedgerEvents(chunked, events.slice(i, i + 7));
    expect(computeStateDigest(toSnapshot(chunked))).toBe(digest);
    expect(diffSnapshots(toSnapshot(folded), snap)).toEqual([]);
  });

  it("never modifies the state it is given", () => {
    const e = (n: number, log: object): LedgerEvent =>
      ({
        ...log,
        blockNumber: BigInt(n),
        blockHash: `0x${"aa".repeat(32)}`,
        logIndex: 0,
        txHash: `0x${"bb".repeat(32)}`,
        timestamp: BigInt(1000 + n),
      }) as LedgerEvent;
    const S = "0x1111111111111111111111111111111111111111" as Address;
    const D = "0x2222222222222222222222222222222222222222" as Address;
    const B = `0x${"33".repeat(32)}` as Hex;
    const zero = `0x${"00".repeat(32)}` as Hex;
    const s1 = applyLedgerEvents(createLedgerState(), [
      e(1, {
        eventName: "PartyRegistered",
        args: { party: S, kind: 1, profileHash: zero, profileURI: "", accreditedUntil: 0n, registrar: S },
      }),
      e(2, {
        eventName: "BatchAnchored",
        args: {
          batchId: B,
          supplier: S,
          label: "x",
          root: zero,
          count: 10n,
          productId: zero,
          faceValue: 1n,
          currency: "0x434e59",
          expiresAt: 0n,
          restricted: false,
          manifestHash: zero,
          manifestURI: "",
        },
      }),
    ]);
    const before = computeStateDigest(toSnapshot(s1));
    const segsBefore = structuredClone(s1.batches.get(B)!.segments);
    const s2 = applyLedgerEvent(
      s1,
      e(3, { eventName: "CustodyTransferred", args: { batchId: B, from: S, to: D, start: 2n, end: 5n, memo: zero } }),
    );
    const s3 = applyLedgerEvent(
      s2,
      e(4, { eventName: "KeysRedeemed", args: { batchId: B, by: S, wordIndex: 0n, mask: 3n } }),
    );
    expect(computeStateDigest(toSnapshot(s1))).toBe(before);
    expect(s1.batches.get(B)!.segments).toEqual(segsBefore);
    expect(s2.batches.get(B)!.redeemed.size).toBe(0);
    expect(s3.batches.get(B)!.redeemed.get(0n)).toBe(3n);
    expect(toSnapshot(s2).segments.map((s) => [s.start, s.end, s.holder])).toEqual([
      [0n, 2n, S],
      [2n, 5n, D],
      [5n, 10n, S],
    ]);
  });
});
