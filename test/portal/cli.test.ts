/**
 * `keytrail portal build` through its commander registration: flags become the build's
 * configuration, a bad flag is named before Astro starts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { registerPortalCommand } from "../../scripts/cli/commands/portal.js";

const out = mkdtempSync(join(tmpdir(), "keytrail-portal-cli-"));

afterAll(() => rmSync(out, { recursive: true, force: true }));

function program(): Command {
  const p = new Command("keytrail")
    .exitOverride()
    .option("--rpc-url <url>")
    .option("--ledger <address>")
    .option("--chain-id <id>");
  p.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  registerPortalCommand(p);
  return p;
}

describe("keytrail portal build", () => {
  it("builds from flags into --out", async () => {
    await program().parseAsync([
      "node",
      "keytrail",
      "--rpc-url",
      "https://rpc.example.org",
      "--ledger",
      "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      "--chain-id",
      "137",
      "portal",
      "build",
      "--portal-base",
      "https://verify.example.cn",
      "--chain-name",
      "Polygon",
      "--out",
      out,
    ]);
    expect(existsSync(join(out, "v", "index.html"))).toBe(true);
    expect(readFileSync(join(out, "en", "how", "index.html"), "utf8")).toContain("Polygon (chain id 137)");
    // No export given: the lists say so instead of failing.
    expect(readFileSync(join(out, "en", "b", "index.html"), "utf8")).toContain("No data yet");
    expect(readFileSync(join(out, "p", "index.html"), "utf8")).toContain("暂无数据");
  });

  it("names a bad flag before building", async () => {
    await expect(
      program().parseAsync([
        "node",
        "keytrail",
        "--rpc-url",
        "https://rpc.example.org",
        "--ledger",
        "0x12",
        "--chain-id",
        "137",
        "portal",
        "build",
        "--portal-base",
        "https://v.example",
        "--out",
        out,
      ]),
    ).rejects.toThrow(/flag --ledger: got "0x12"; expected a 0x-prefixed 20-byte/);
  });
});
