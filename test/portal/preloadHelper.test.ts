/**
 * The portal's one-line preload helper (portal/src/config/preloadHelperWithoutDeps.ts): lazy chunks
 * that import only their entry build without Vite's helper; a lazy chunk with dependencies of its own
 * to preload stops the build, naming the chunk.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "vite";
import { afterAll, describe, expect, it } from "vitest";
import { preloadHelperWithoutDeps } from "../../portal/src/config/preloadHelperWithoutDeps.js";

const dir = mkdtempSync(join(tmpdir(), "keytrail-preload-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Chunk = { type: string; fileName: string; code: string; isEntry?: boolean };

async function bundle(files: Record<string, string>, withPlugin = true): Promise<Chunk[]> {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const out = (await build({
    configFile: false,
    logLevel: "silent",
    root: dir,
    plugins: withPlugin ? [preloadHelperWithoutDeps()] : [],
    build: {
      write: false,
      minify: false,
      modulePreload: { polyfill: false },
      rollupOptions: { input: join(dir, "entry.ts") },
    },
  })) as { output: Chunk[] } | { output: Chunk[] }[];
  return (Array.isArray(out) ? out[0]! : out).output.filter((c) => c.type === "chunk");
}

const lazy = { "a.ts": "export const a = () => 1;\n" };

describe("preloadHelperWithoutDeps", () => {
  it("serves the one-line helper when lazy chunks import only their entry", async () => {
    const entry = 'document.body.onclick = async () => console.log((await import("./a.ts")).a());\n';
    const withVite = (await bundle({ ...lazy, "entry.ts": entry }, false)).find((c) => c.isEntry)!;
    const ours = (await bundle({ ...lazy, "entry.ts": entry })).find((c) => c.isEntry)!;
    // Vite's own helper fires vite:preloadError; ours only calls the import.
    expect(withVite.code).toContain("vite:preloadError");
    expect(ours.code).not.toContain("vite:preloadError");
    expect(ours.code).toContain("(load) => load()");
    expect(ours.code.length).toBeLessThan(withVite.code.length - 1000);
  });

  it("stops the build when a lazy chunk has dependencies to preload", async () => {
    const files = {
      "shared.ts": "export const twice = (x: number) => x * 2 + Math.random();\n",
      "a.ts": 'import { twice } from "./shared.ts";\nexport const a = () => twice(1);\n',
      "b.ts": 'import { twice } from "./shared.ts";\nexport const b = () => twice(2);\n',
      "entry.ts":
        'document.body.onclick = async () => console.log((await import("./a.ts")).a(), (await import("./b.ts")).b());\n',
    };
    await expect(bundle(files)).rejects.toThrow(/entry-[\w-]+\.js preloads the dependencies of a lazy chunk/);
  });
});
