import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeFunctionData, keccak256, toHex } from "viem";
import type { Address } from "viem";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { createIndexer, type IndexerEvent } from "../../indexer/createIndexer.js";
import { startLocalNode, type LocalNode } from "../../scripts/chain/startLocalNode.js";
import { deployLedgerChain, httpProvider, type LedgerChain } from "./helpers/ledgerChain.js";
import { openTestStore } from "./helpers/stores.js";

/**
 * Following the head: with a node that offers WebSocket, a new block wakes the indexer at once
 * (polling is set to a minute here, so only the notification can explain a prompt pickup); with no
 * WebSocket, the indexer says it follows by polling and still picks blocks up.
 */
describe("indexer follows the head", () => {
  let node: LocalNode;
  let chain: LedgerChain;

  beforeAll(async () => {
    node = await startLocalNode();
    chain = await deployLedgerChain(httpProvider(node.url));
  });
  afterAll(async () => {
    await node?.stop();
  });

  /** Registers a party: one ledger event in a new block. */
  async function registerParty(n: number): Promise<void> {
    const party = keccak256(toHex(`party-${n}`)).slice(0, 42) as Address;
    const data = encodeFunctionData({
      abi: keyLedgerV2Abi,
      functionName: "registerParty",
      args: [party, 3, keccak256(toHex(n)), "", 0n],
    });
    await chain.rpc("eth_sendTransaction", [{ from: chain.parties.admin, to: chain.ledger, data }]);
  }

  /** Ranges indexed after the indexer reported how it follows (so: caused by `act`), with events. */
  const rangesAfterHeads = (ev: IndexerEvent[]) =>
    ev.slice(ev.findIndex((e) => e.type === "heads") + 1).filter((e) => e.type === "range" && e.events > 0);
  const sawHeads = (ev: IndexerEvent[]) => ev.some((e) => e.type === "heads");

  /** Runs the indexer in follow mode until `until(events)` holds, then stops it. */
  async function follow(
    wsUrl: string,
    pollIntervalMs: number,
    act: () => Promise<void>,
    until: (events: IndexerEvent[]) => boolean,
  ) {
    const store = await openTestStore("pglite", null);
    const events: IndexerEvent[] = [];
    let acted = false;
    const indexer = createIndexer({
      store,
      rpcUrls: [node.url],
      ledger: chain.ledger,
      startBlock: chain.deployBlock,
      pollIntervalMs,
      wsUrl,
      deferIndexesMinBlocks: 0,
      onEvent: (e) => {
        events.push(e);
        if (e.type === "heads" && !acted) {
          acted = true;
          void act();
        }
        if (until(events)) indexer.stop();
      },
    });
    const cursor = await indexer.run({ follow: true });
    await store.close();
    return { events, cursor };
  }

  it("wakes on a WebSocket new-head notification, not on the (one-minute) poll", async () => {
    const t = Date.now();
    const { events } = await follow(
      "auto",
      60_000,
      () => registerParty(1),
      (ev) => sawHeads(ev) && rangesAfterHeads(ev).length > 0,
    );
    const heads = events.find((e) => e.type === "heads");
    expect(heads).toMatchObject({ type: "heads", source: "websocket", url: node.url.replace("http", "ws") });
    expect(rangesAfterHeads(events)).toEqual([expect.objectContaining({ type: "range", events: 1 })]);
    // Well under the one-minute poll: only the notification can have woken the loop.
    expect(Date.now() - t).toBeLessThan(30_000);
  });

  it("falls back to polling when no WebSocket answers, and says so", async () => {
    const { events } = await follow(
      "ws://127.0.0.1:1",
      100,
      () => registerParty(2),
      (ev) => sawHeads(ev) && rangesAfterHeads(ev).length > 0,
    );
    const heads = events.find((e) => e.type === "heads");
    expect(heads).toMatchObject({ type: "heads", source: "polling", url: "ws://127.0.0.1:1" });
    expect(rangesAfterHeads(events)).toEqual([expect.objectContaining({ type: "range", events: 1 })]);
  });
});

describe("new-head subscription input", () => {
  it("a malformed WebSocket URL is a failed subscription, not a crash", async () => {
    const { subscribeNewHeads } = await import("../../indexer/chain/subscribeNewHeads.js");
    const sub = subscribeNewHeads("not a url", { onHead: () => undefined });
    await expect(sub.ready).rejects.toThrow(/WebSocket "not a url" could not be opened/);
    expect(sub.alive()).toBe(false);
  });
});
