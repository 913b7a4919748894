import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closedAncestor } from "./helpers/stores.js";

describe("the PostgreSQL test server's reachability check", () => {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function binaryIn(mode: number): { root: string; file: string } {
    const root = mkdtempSync(join(tmpdir(), "kt-reach-"));
    made.push(root);
    mkdirSync(join(root, "node_modules", "bin"), { recursive: true });
    const file = join(root, "node_modules", "bin", "initdb");
    writeFileSync(file, "");
    chmodSync(root, mode);
    return { root, file };
  }

  it("names the folder of mode 700 that hides the binaries from the server's user", () => {
    const { root, file } = binaryIn(0o700);
    expect(closedAncestor(file)).toBe(root);
  });

  it("finds nothing when every folder on the way can be entered", () => {
    const { file } = binaryIn(0o755);
    expect(closedAncestor(file)).toBeNull();
  });
});
