import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExportIndex } from "../../lib/formats/export.js";
import { deployLedgerChain, replayDigest, runScenario } from "./helpers/ledgerChain.js";
import type { LedgerChain } from "./helpers/ledgerChain.js";
import { forwardToProvider, serveRpc } from "./helpers/serveRpc.js";
import { STORE_KINDS, startPostgres } from "./helpers/stores.js";
import type { TestPostgres } from "./helpers/stores.js";

const cli = resolve("scripts/keytrail.mjs");
let pg: TestPostgres | null = null;
let chain: LedgerChain;
let rpc: Awaited<ReturnType<typeof serveRpc>>;

function keytrail(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: { ...process.env, KEYTRAIL_RPC_URL: "", KEYTRAIL_LEDGER: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => res({ code: code ?? 1, stdout, stderr }));
  });
}

beforeAll(async () => {
  pg = await startPostgres();
  chain = await deployLedgerChain();
  await runScenario(chain, { seed: 81, steps: 15, batchCount: 1, keysPerBatch: 1_024 });
  rpc = await serveRpc({ forward: forwardToProvider(chain.provider) });
});
afterAll(async () => {
  await rpc?.close();
  await pg?.stop();
});

describe.each(STORE_KINDS)("keytrail index / export on %s", (kind) => {
  it("indexes to the head, logs the store choice, exports; a bad flag is a usage error naming it", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "kt-cli-"));
    const env: Record<string, string> =
      kind === "postgres" ? { DATABASE_URL: await pg!.createDatabase(`cli_${Date.now()}`) } : { DATABASE_URL: "" };
    const common = ["--rpc-url", rpc.url, "--ledger", chain.ledger];
    const r = await keytrail(["index", ...common, "--from-block", String(chain.deployBlock), "--json"], env, cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      kind === "postgres"
        ? /store: PostgreSQL at postgres:\/\/keytrail:\*\*\*@127\.0\.0\.1/
        : /store: PGlite at \.keytrail\/db \(DATABASE_URL is not set/,
    );
    const out = JSON.parse(r.stdout) as { cursor: { number: number }; digest: string };
    expect(out.digest).toBe((await replayDigest(chain, out.cursor.number)).digest);

    const e = await keytrail(["export", "site-data", "--json"], env, cwd);
    expect(e.code, e.stderr).toBe(0);
    const index = JSON.parse(readFileSync(join(cwd, "site-data", "index.json"), "utf8")) as ExportIndex;
    expect(index.digest).toBe(out.digest);
    expect(index.counts.batches).toBe(1);

    const bad = await keytrail(["index", ...common, "--finality", "zero"], env, cwd);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--finality "zero" is not valid/);
  });
});

describe("keytrail serve --index", () => {
  it("logs 'at head' once per new head block, not on every poll", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "kt-serve-"));
    const args = [
      "serve",
      "--index",
      "--port",
      "0",
      "--poll-ms",
      "20",
      "--ws",
      "off",
      "--rpc-url",
      rpc.url,
      "--ledger",
      chain.ledger,
      "--from-block",
      String(chain.deployBlock),
    ];
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: { ...process.env, KEYTRAIL_RPC_URL: "", KEYTRAIL_LEDGER: "", DATABASE_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const atHead = () => [...stderr.matchAll(/index: at head, block (\d+)/g)].map((m) => Number(m[1]));
    const until = async (what: string, ok: () => boolean) => {
      for (const t0 = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() - t0 > 60_000 || child.exitCode !== null)
          throw new Error(`no ${what} (exit ${child.exitCode}):\n${stderr}`);
      }
    };
    try {
      await until("first 'at head'", () => atHead().length > 0);
      const head = atHead()[0]!;
      // 1.5 s at a 20 ms poll interval is dozens of polls of an unchanged head.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(atHead()).toEqual([head]);
      await chain.provider.request({ method: "evm_mine", params: [] });
      await until("'at head' for the mined block", () => atHead().length > 1);
      await new Promise((r) => setTimeout(r, 500));
      expect(atHead()).toEqual([head, head + 1]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const closed = new Promise((r) => child.once("close", r));
        child.kill("SIGTERM");
        await closed;
      }
    }
  });
});
