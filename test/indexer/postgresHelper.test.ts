import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDirs } from "../helpers/tempDirs.js";
import { closedAncestor } from "./helpers/stores.js";

describe("the PostgreSQL test server's reachability check", () => {
  const temp = tempDirs("kt-reach-");
  afterEach(temp.removeAll);

  function binaryIn(mode: number): { root: string; file: string } {
    const root = temp.make();
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
