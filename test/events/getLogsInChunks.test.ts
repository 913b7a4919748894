import { describe, expect, it } from "vitest";
import { createBlockRangeSizer } from "../../lib/events/createBlockRangeSizer.js";
import { InvalidBlockSpanError } from "../../lib/events/errors.js";
import { getLogsInChunks } from "../../lib/events/getLogsInChunks.js";
import type { BlockRange } from "../../lib/events/getLogsInChunks.js";

/** A node's log store: `perBlock(n)` logs in block n; refuses answers over `maxResults` logs. */
function node(parameters: { perBlock: (n: bigint) => number; maxResults: number; failFirst?: number }) {
  const calls: BlockRange[] = [];
  let failures = parameters.failFirst ?? 0;
  const getLogs = async (r: BlockRange): Promise<string[]> => {
    calls.push(r);
    if (failures > 0) {
      failures--;
      throw new Error("connection reset");
    }
    const out: string[] = [];
    for (let n = r.fromBlock; n <= r.toBlock; n++) {
      for (let i = 0; i < parameters.perBlock(n); i++) out.push(`${n}:${i}`);
    }
    if (out.length > parameters.maxResults) {
      throw new Error(`query returned more than ${parameters.maxResults} results`);
    }
    return out;
  };
  return { calls, getLogs };
}

const tooMany = (e: unknown) => /more than \d+ results/.test(String(e));

describe("createBlockRangeSizer", () => {
  it("halves on too-large (of the short range at the end), busy; doubles when cheap; caps at maxBlocks", () => {
    const s = createBlockRangeSizer({ initialBlocks: 100, maxBlocks: 300, targetLogs: 40 });
    expect(s.blocks).toBe(100);
    expect(s.fetched(100, 10)).toEqual({ blocks: 200, reason: "cheap" });
    expect(s.fetched(50, 0)).toBeNull(); // short range: says nothing
    expect(s.fetched(200, 30)).toBeNull(); // between target/2 and target
    expect(s.fetched(200, 0)).toEqual({ blocks: 300, reason: "cheap" });
    expect(s.fetched(300, 0)).toBeNull();
    expect(s.fetched(300, 41)).toEqual({ blocks: 150, reason: "busy" });
    expect(s.tooLarge(150)).toEqual({ blocks: 75, reason: "too-large" });
    expect(s.tooLarge(9)).toEqual({ blocks: 4, reason: "too-large" });
    expect(s.tooLarge(4)).toEqual({ blocks: 2, reason: "too-large" });
    expect(s.tooLarge(2)).toEqual({ blocks: 1, reason: "too-large" });
    expect(s.tooLarge(1)).toBeNull();
  });

  it("without a target, every full range doubles the span", () => {
    const s = createBlockRangeSizer({ initialBlocks: 8, maxBlocks: 8 });
    expect(s.tooLarge(8)).toEqual({ blocks: 4, reason: "too-large" });
    expect(s.fetched(4, 1_000_000)).toEqual({ blocks: 8, reason: "cheap" });
  });

  it("rejects spans that are not positive integers, naming them", () => {
    expect(() => createBlockRangeSizer({ initialBlocks: 0, maxBlocks: 10 })).toThrow(InvalidBlockSpanError);
    expect(() => createBlockRangeSizer({ initialBlocks: 1, maxBlocks: 1.5 })).toThrow(
      /maxBlocks 1.5 is not an integer >= 1/,
    );
  });
});

describe("getLogsInChunks", () => {
  it("reads every log once, in order, shrinking on 'too many results' and growing back", async () => {
    // A busy stretch (blocks 40..49, 30 logs each) inside quiet blocks (1 log each).
    const n = node({ perBlock: (b) => (b >= 40n && b < 50n ? 30 : 1), maxResults: 100 });
    const resizes: string[] = [];
    const { logs, requests, chunks } = await getLogsInChunks({
      fromBlock: 0n,
      toBlock: 199n,
      chunk: { initialBlocks: 64, maxBlocks: 64 },
      getLogs: n.getLogs,
      isRangeTooLarge: tooMany,
      onResize: (c) => resizes.push(`${c.reason}:${c.blocks}`),
    });
    const want: string[] = [];
    for (let b = 0n; b < 200n; b++) for (let i = 0; i < (b >= 40n && b < 50n ? 30 : 1); i++) want.push(`${b}:${i}`);
    expect(logs).toEqual(want);
    expect(resizes).toContain("too-large:32");
    expect(resizes.filter((r) => r.startsWith("cheap")).length).toBeGreaterThan(0);
    expect(n.calls.at(-1)!.toBlock).toBe(199n);
    expect(requests).toBe(n.calls.length);
    expect(chunks).toBeLessThan(requests);
  });

  it("gives other errors to onError with the attempt count; success resets it", async () => {
    const n = node({ perBlock: () => 1, maxResults: 1000, failFirst: 2 });
    const attempts: number[] = [];
    const { logs } = await getLogsInChunks({
      fromBlock: 10n,
      toBlock: 20n,
      chunk: { initialBlocks: 5, maxBlocks: 5 },
      getLogs: n.getLogs,
      isRangeTooLarge: tooMany,
      onError: (_e, c) => {
        attempts.push(c.attempt);
        expect(c.fromBlock).toBe(10n);
      },
    });
    expect(attempts).toEqual([1, 2]);
    expect(logs).toHaveLength(11);
  });

  it("rethrows by default, and when one block is still too large", async () => {
    const base = { fromBlock: 0n, toBlock: 9n, chunk: { initialBlocks: 4, maxBlocks: 4 }, isRangeTooLarge: tooMany };
    const flaky = node({ perBlock: () => 1, maxResults: 9, failFirst: 1 });
    await expect(getLogsInChunks({ ...base, getLogs: flaky.getLogs })).rejects.toThrow(/connection reset/);
    const dense = node({ perBlock: () => 20, maxResults: 10 });
    await expect(getLogsInChunks({ ...base, getLogs: dense.getLogs })).rejects.toThrow(/more than 10 results/);
    expect(dense.calls.map((c) => `${c.fromBlock}-${c.toBlock}`)).toEqual(["0-3", "0-1", "0-0"]);
  });

  it("reports progress per range", async () => {
    const seen: string[] = [];
    await getLogsInChunks({
      fromBlock: 0n,
      toBlock: 9n,
      chunk: { initialBlocks: 4, maxBlocks: 4 },
      getLogs: node({ perBlock: () => 2, maxResults: 100 }).getLogs,
      isRangeTooLarge: tooMany,
      onChunk: (c) => seen.push(`${c.fromBlock}-${c.toBlock}:${c.logs}/${c.fetched}`),
    });
    expect(seen).toEqual(["0-3:8/8", "4-7:8/16", "8-9:4/20"]);
  });
});
