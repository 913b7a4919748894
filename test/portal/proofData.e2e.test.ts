/**
 * The verify page in Chromium with proof data that does not match the chain: a bit flipped in a published
 * proof shard gives "cannot confirm" naming the shard's URL (never "not issued by anyone here"), a missing shard
 * for a valid index is "proof data unavailable", and a short link for an index beyond the batch is still
 * "not-in-batch" from the chain (docs/TRUST.md §4b).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { buildPortal } from "./helpers/buildPortal.js";
import { servePortal, type ServedPortal } from "./helpers/servePortal.js";
import { indexAndExport } from "./helpers/indexAndExport.js";
import { setUpScenario, type Scenario } from "./helpers/scenario.js";
import { startHttpChain, type HttpChain } from "./helpers/startHttpChain.js";

let chain: HttpChain;
let scenario: Scenario;
let dist: string;
let work: string;
let site: ServedPortal | undefined;
let origin: string;
let browser: Browser;
const shardFiles: string[] = [];

/** Every published proof shard file of the built site (under export/). */
function findShards(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) findShards(p);
    else if (/\.bin$/.test(e.name)) shardFiles.push(p);
  }
}

beforeAll(async () => {
  chain = await startHttpChain();
  work = mkdtempSync(join(tmpdir(), "keytrail-portal-proofdata-"));
  scenario = await setUpScenario(chain, join(work, "sealed"));
  await indexAndExport(chain.url, scenario, join(work, "sealed"), join(work, "export"));
  dist = await buildPortal({
    KEYTRAIL_CHAIN_ID: String(scenario.chainId),
    KEYTRAIL_CHAIN_NAME: "Hardhat",
    KEYTRAIL_RPC_URLS: chain.url,
    KEYTRAIL_LEDGER: scenario.ledger,
    KEYTRAIL_PORTAL_BASE: "https://verify.keytrail.example",
    KEYTRAIL_EXPORT_DIR: join(work, "export"),
  });
  findShards(join(dist, "export"));
  // Shard 0 (keys 0-7): one bit flipped in key 3's commitment. Shard 1 (keys 8-15): removed.
  for (const f of shardFiles) {
    if (/[/\\]0\.bin$/.test(f)) {
      const b = readFileSync(f);
      b[24 + 32 * 3] = b[24 + 32 * 3]! ^ 0x01;
      writeFileSync(f, b);
    }
    if (/[/\\]1\.bin$/.test(f)) rmSync(f);
  }
  site = await servePortal(dist);
  ({ origin, browser } = site);
});

afterAll(async () => {
  await site?.close();
  await chain?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

const shortAt = (index: number) => encodePayload({ ...decodePayload(scenario.payloads.genuineShort), index });

async function verdict(payload: string): Promise<{ verdict: string; text: string; title: string }> {
  const page: Page = await browser.newPage();
  await page.goto(`${origin}/en/v/#${payload}`);
  await page.waitForFunction(
    () => (document.getElementById("verdict") as HTMLElement | null)?.dataset.verdict,
    undefined,
    {
      timeout: 30_000,
    },
  );
  const v = await page.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict ?? "");
  const text = (await page.textContent("body")) ?? "";
  const title = (await page.textContent("#verdict-title")) ?? "";
  await page.close();
  return { verdict: v, text, title };
}

describe("verify page: proof data that does not match the chain (Chromium, live chain)", () => {
  it("the published shards were found (the test alters real files)", () => {
    expect(shardFiles.some((f) => /[/\\]0\.bin$/.test(f))).toBe(true);
  });

  it("a bit flipped in shard 0: keys 0-7 'cannot confirm', naming the shard's URL; never not-in-batch", async () => {
    for (const index of [0, 1, 3, 7]) {
      const r = await verdict(shortAt(index));
      expect(r.verdict, `key ${index}`).toBe("unreachable");
      expect(r.text).toMatch(/\/0\.bin does not fold to the batch root/);
    }
  });

  it("a missing shard for a valid index: unreachable, proof data unavailable; an index beyond the batch: not-in-batch", async () => {
    const missing = await verdict(shortAt(9));
    expect(missing.verdict).toBe("unreachable");
    expect(missing.text).toMatch(/export\/proofs\/0x[0-9a-f]{64}\/1\.bin/);
    expect(missing.title).not.toMatch(/Not issued by anyone here/);
    for (const index of [2 ** 40, 2 ** 48 - 1]) expect((await verdict(shortAt(index))).verdict).toBe("not-in-batch");
  });
});
