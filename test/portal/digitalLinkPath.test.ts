import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapDigitalLinkPath } from "../../portal/src/config/mapDigitalLinkPath.js";
import { createStaticServer } from "../../portal/server/createStaticServer.js";

describe("mapDigitalLinkPath", () => {
  it("maps /01/<gtin>[/10/<lot>][/21/<serial>] to the verify page, /en/01/… to the English one", () => {
    expect(mapDigitalLinkPath("01/09506000134352/21/4dab528a.2")).toBe("v/index.html");
    expect(mapDigitalLinkPath("01/09506000134352/10/L1/21/A%2F7")).toBe("v/index.html");
    expect(mapDigitalLinkPath("01/09506000134352")).toBe("v/index.html");
    expect(mapDigitalLinkPath("en/01/09506000134352/21/4dab528a.2")).toBe("en/v/index.html");
  });
  it("leaves every other path alone", () => {
    for (const rel of ["", "v/", "en/v/", "b/0x12/", "01", "01/", "x/01/09506000134352/21/a", "en/b/"])
      expect(mapDigitalLinkPath(rel), rel).toBeUndefined();
  });
});

describe("keytrail portal serve on Digital Link paths", () => {
  let root: string;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "keytrail-dl-static-"));
    mkdirSync(join(root, "v"));
    mkdirSync(join(root, "en", "v"), { recursive: true });
    writeFileSync(join(root, "v", "index.html"), "<!doctype html><title>验证</title>");
    writeFileSync(join(root, "en", "v", "index.html"), "<!doctype html><title>Verify</title>");
    writeFileSync(join(root, "404.html"), "<!doctype html><title>404</title>");
    server = createStaticServer({ root });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((ok) => server.close(() => ok()));
    rmSync(root, { recursive: true, force: true });
  });

  it("answers the verify page with 200 (no redirect), in either language", async () => {
    const zh = await fetch(`${base}/01/09506000134352/21/4dab528a.2`, { redirect: "manual" });
    expect(zh.status).toBe(200);
    expect(zh.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await zh.text()).toContain("<title>验证</title>");
    const en = await fetch(`${base}/en/01/09506000134352/10/L%2F1/21/A7`, { redirect: "manual" });
    expect(en.status).toBe(200);
    expect(await en.text()).toContain("<title>Verify</title>");
    expect((await fetch(`${base}/v/`)).status).toBe(200);
    expect((await fetch(`${base}/02/09506000134352`)).status).toBe(404);
  });
});
