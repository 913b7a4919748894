import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaticServer } from "../../portal/server/createStaticServer.js";

let root: string;
let server: Server;
let base: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "keytrail-static-"));
  mkdirSync(join(root, "v"));
  mkdirSync(join(root, "_astro"));
  mkdirSync(join(root, "export", "proofs"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<!doctype html><title>首页</title>");
  writeFileSync(join(root, "v", "index.html"), "<!doctype html><title>验证</title>");
  writeFileSync(join(root, "_astro", "a.B1x.js"), "export {};");
  writeFileSync(join(root, "export", "proofs", "0.bin"), new Uint8Array([1, 2, 3]));
  writeFileSync(join(root, "export", "index.json"), "{}");
  writeFileSync(join(root, ".secret"), "no");
  server = createStaticServer({ root });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
  rmSync(root, { recursive: true, force: true });
});

describe("portal static server", () => {
  it("serves html as text/html; charset=utf-8 with security headers", async () => {
    const r = await fetch(`${base}/v/`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("referrer-policy")).toBe("no-referrer");
    expect(r.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(await r.text()).toContain("验证");
  });

  it.each([
    ["/_astro/a.B1x.js", "text/javascript; charset=utf-8"],
    ["/export/index.json", "application/json; charset=utf-8"],
    ["/export/proofs/0.bin", "application/octet-stream"],
  ])("content type of %s", async (path, type) => {
    const r = await fetch(`${base}${path}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe(type);
  });

  it("hashed assets are cached long, pages are revalidated", async () => {
    expect((await fetch(`${base}/_astro/a.B1x.js`)).headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${base}/v/`)).headers.get("cache-control")).toBe("no-cache");
  });

  it("redirects a folder without its slash", async () => {
    const r = await fetch(`${base}/v`, { redirect: "manual" });
    expect(r.status).toBe(301);
    expect(r.headers.get("location")).toBe("/v/");
  });

  it.each(["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/.secret", "/v/%00", "/nope/"])(
    "refuses %s",
    async (path) => {
      const r = await fetch(`${base}${path}`);
      expect([400, 404]).toContain(r.status);
      expect(await r.text()).not.toContain("root:");
    },
  );

  it("answers only GET and HEAD", async () => {
    expect((await fetch(`${base}/`, { method: "POST", body: "x" })).status).toBe(405);
    const head = await fetch(`${base}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });
});
