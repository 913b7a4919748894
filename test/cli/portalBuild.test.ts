import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/runCli.js";

// `keytrail portal build` from the user's own folder (outside the repository): the build finds
// Astro's packages in the install, and the user's relative paths resolve from their folder.

let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "keytrail-portal-build-"));
  writeFileSync(
    join(cwd, "portal.json"),
    JSON.stringify({
      chainId: 137,
      rpcUrls: ["https://rpc.example.org"],
      ledger: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      portalBase: "https://verify.example.cn",
      chainName: "Polygon",
    }),
  );
});
afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("keytrail portal build outside the repository", () => {
  it("builds with a config and --out given relative to the caller's folder", async () => {
    const r = await runCli(["portal", "build", "--portal-config", "portal.json", "--out", "site"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`portal built: ${join(cwd, "site")}`);
    expect(existsSync(join(cwd, "site", "v", "index.html"))).toBe(true);
    expect(readFileSync(join(cwd, "site", "en", "how", "index.html"), "utf8")).toContain("Polygon (chain id 137)");
  });

  it("takes KEYTRAIL_PORTAL_OUT_DIR relative to the caller's folder", async () => {
    const r = await runCli(["portal", "build", "--portal-config", "portal.json"], {
      cwd,
      env: { KEYTRAIL_PORTAL_OUT_DIR: "site-env" },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(cwd, "site-env", "v", "index.html"))).toBe(true);
  });
});
