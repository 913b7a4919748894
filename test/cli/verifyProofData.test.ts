/**
 * `keytrail verify` against a KeyLedgerV2 deployment on a local Hardhat node, with proof data that is missing,
 * altered or served by a host nobody configured: "cannot confirm" naming the source, never a verdict against the
 * key; the chain is read anyway (an index beyond the batch, an unknown batch); shards are fetched only from chosen
 * bases, with a time-out and a byte cap; a chain id that one RPC lies about is "RPCs disagree".
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import { makeBatch, type TestBatch } from "../verify/batch.js";
import { anchorParamsV2 } from "../contracts/helpersV2.js";
import { startLyingRpc } from "../helpers/lyingRpc.js";
import { deployNodeLedgerV2 } from "./helpers/deployNodeLedgerV2.js";
import { runCli } from "./helpers/runCli.js";
import { startHardhatNode, type HardhatNode } from "./helpers/startHardhatNode.js";

const PORTAL = "https://verify.example.com";
let node: HardhatNode;
let cwd: string;
let ledger: Address;
let batch: TestBatch;
let server: Server;
let hostUrl: string;
const requests: string[] = [];

type VerifyJson = Record<string, unknown> & { verdict: string; message: string; cannotConfirm?: string };
const verify = async (link: string, ...extra: string[]) => {
  const r = await runCli(["verify", link, "--json", "--ledger", ledger, ...extra], { cwd });
  expect(r.stdout, r.stderr).not.toBe("");
  return { code: r.code, json: JSON.parse(r.stdout) as VerifyJson };
};
const shortAt = (index: number, batchId: Hex = batch.batchId) =>
  encodePayload({
    form: "short",
    chainId: 31337,
    ledger,
    batchId,
    index,
    salt: batch.salts[0]!,
    keyCase: "exact",
  });

beforeAll(async () => {
  node = await startHardhatNode();
  cwd = mkdtempSync(join(tmpdir(), "keytrail-cli-proofdata-"));
  const deployed = await deployNodeLedgerV2(node.url);
  const { supplier, write } = deployed;
  ledger = deployed.ledger;
  const sup = supplier.account.address;
  batch = makeBatch({ supplier: sup, ledger, chainId: 31337, label: "proof data", count: 40, shardSize: 8 });
  await write(supplier, "anchorBatch", [{ ...anchorParamsV2("proof data", 40n), root: batch.root }]);
  // Batch folders: the honest one, one with a flipped bit in shard 0, one without shards.
  for (const [dir, flip] of [
    ["good", false],
    ["flipped", true],
  ] as const) {
    mkdirSync(join(cwd, dir, "shards"), { recursive: true });
    for (const [s, bytes] of batch.shards) {
      const b = bytes.slice();
      if (flip && s === 0) b[24 + 32 * 3 + 7] = b[24 + 32 * 3 + 7]! ^ 0x10;
      writeFileSync(join(cwd, dir, "shards", `${s}.bin`), b);
    }
  }
  mkdirSync(join(cwd, "empty"), { recursive: true });
  // A host serving the export's shards, a tar-pit and a flood.
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const m = /^\/(ok|tarpit|flood)\/export\/proofs\/(0x[0-9a-f]{64})\/(\d+)\.bin$/.exec(req.url ?? "");
    if (!m) return void res.writeHead(404).end();
    if (m[1] === "ok") {
      const b = m[2] === batch.batchId ? batch.shards.get(Number(m[3])) : undefined;
      return void (b ? res.writeHead(200).end(b) : res.writeHead(404).end());
    }
    res.writeHead(200, { "content-type": "application/octet-stream" });
    if (m[1] === "flood") {
      const chunk = new Uint8Array(1024 * 1024);
      for (let i = 0; i < 9; i++) res.write(chunk);
      return void res.end();
    }
    const drip = setInterval(() => res.write(new Uint8Array([0x4b])), 1000);
    req.on("close", () => clearInterval(drip));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  hostUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const r = await runCli(["init", "--chain", "31337", "--rpc", node.url, "--portal", PORTAL], { cwd });
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await node?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("keytrail verify: proof data never frames a key", () => {
  it("a flipped bit in shard 0: keys 0-7 'cannot confirm' naming the shard file, key 8 genuine", async () => {
    const good = await verify(payloadUrl(PORTAL, batch.short(3)), "--batch-dir", join(cwd, "good"));
    expect(good.json.verdict).toBe("genuine");
    for (const i of [0, 3, 7]) {
      const r = await verify(payloadUrl(PORTAL, batch.short(i)), "--batch-dir", join(cwd, "flipped"));
      expect(r.code).toBe(1);
      expect(r.json).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-mismatch" });
      expect(r.json.message).toContain("the published proof data does not match the chain");
      expect(r.json.message).toContain(join(cwd, "flipped", "shards", "0.bin"));
    }
    const other = await verify(payloadUrl(PORTAL, batch.short(8)), "--batch-dir", join(cwd, "flipped"));
    expect(other.json.verdict).toBe("genuine");
  });

  it("a wrong --batch-dir: a valid index is 'proof data unavailable'; index 2^40, 2^48-1 and an unknown batch are not-in-batch", async () => {
    const dir = join(cwd, "empty");
    const r = await verify(payloadUrl(PORTAL, batch.short(12)), "--batch-dir", dir);
    expect(r.json).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-unavailable" });
    // S is not in the payload: without proofs/index.json the default 1,024 is tried first (shard 0).
    expect(r.json.message).toContain(join(dir, "shards", "0.bin"));
    expect(r.json.message).toContain("holds 40 keys, key 12 among them");
    for (const index of [40, 2 ** 40, 2 ** 48 - 1]) {
      const o = await verify(payloadUrl(PORTAL, shortAt(index)), "--batch-dir", dir);
      expect(o.json, `index ${index}`).toMatchObject({ verdict: "not-in-batch", cause: "index-out-of-range" });
    }
    const unknown = await verify(payloadUrl(PORTAL, shortAt(3, `0x${"42".repeat(32)}`)), "--batch-dir", dir);
    expect(unknown.json).toMatchObject({ verdict: "not-in-batch", cause: "batch-unknown" });
  });
});

describe("keytrail verify: shards only from chosen bases, with a time-out and a byte cap", () => {
  it("the link's host is not asked unless allowed (--allow-link-host) or it is the configured portalBase", async () => {
    const path = join(cwd, "keytrail.config.json");
    const original = readFileSync(path, "utf8");
    const config = (portalBase: string | undefined) =>
      writeFileSync(path, JSON.stringify({ ...JSON.parse(original), portalBase }, null, 2));
    const link = payloadUrl(`${hostUrl}/ok`, batch.short(20));
    try {
      config(undefined);
      const before = requests.length;
      const refused = await verify(link);
      expect(requests.length).toBe(before);
      expect(refused.json).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-unavailable" });
      expect(refused.json.message).toMatch(/is not a configured shard source \(pass --allow-link-host/);
      const allowed = await verify(link, "--allow-link-host");
      expect(allowed.json.verdict).toBe("genuine");
      // Shard 0 at the default size names S = 8; then the key's shard, 20 / 8 = 2.
      expect(requests.slice(before)).toEqual([0, 2].map((k) => `/ok/export/proofs/${batch.batchId}/${k}.bin`));
      // The configured portal is asked for a link naming another host; a link on the configured host is used.
      config(`${hostUrl}/ok`);
      const elsewhere = await verify(payloadUrl("https://elsewhere.example", batch.short(20)));
      expect(elsewhere.json.verdict).toBe("genuine");
      expect((await verify(link)).json.verdict).toBe("genuine");
    } finally {
      writeFileSync(path, original);
    }
    const flag = await verify(payloadUrl(PORTAL, batch.short(20)), "--shards", `${hostUrl}/ok/export/proofs/{batchId}`);
    expect(flag.json.verdict).toBe("genuine");
  });

  it("a tar-pit host is cut off by the time-out, a flood by the byte cap: cannot confirm, never a verdict", async () => {
    const tarpit = await verify(payloadUrl(`${hostUrl}/tarpit`, batch.short(5)), "--allow-link-host");
    expect(tarpit.json).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-unavailable" });
    expect(tarpit.json.message).toMatch(/no complete answer within 10 s \(timed out\)/);
    const flood = await verify(payloadUrl(`${hostUrl}/flood`, batch.short(5)), "--allow-link-host");
    expect(flood.json).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-unavailable" });
    expect(flood.json.message).toMatch(/more than the 8388608 bytes accepted/);
  }, 60_000);
});

describe("keytrail verify: the chain id of every configured RPC", () => {
  it("one RPC lying about the chain id, listed first or second: RPCs disagree, never wrong-chain", async () => {
    const liar = await startLyingRpc({ upstream: node.url, lies: ["chain-id"] });
    const path = join(cwd, "keytrail.config.json");
    const original = readFileSync(path, "utf8");
    try {
      for (const urls of [
        [liar.url, node.url],
        [node.url, liar.url],
      ]) {
        writeFileSync(path, JSON.stringify({ ...JSON.parse(original), rpcUrls: urls }, null, 2));
        const r = await verify(payloadUrl(PORTAL, batch.full(4)));
        expect(r.json).toMatchObject({ verdict: "unreachable", cannotConfirm: "rpc-disagree" });
        expect(r.json.message).toMatch(/RPCs disagree on the chain id: .* says 1, .* says 31337|says 31337, .* says 1/);
      }
    } finally {
      writeFileSync(path, original);
      await liar.close();
    }
    expect((await verify(payloadUrl(PORTAL, batch.full(4)))).json.verdict).toBe("genuine");
  });
});
