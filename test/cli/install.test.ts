import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostNode, linkNodeHome, pathWith, wrapperEnv } from "./helpers/hostNode.js";

// The documented install (README, docs/CLI.md): `npm link` in the clone puts `keytrail` on PATH;
// it then runs in the caller's folder, from any folder, on the host's Node (older ones included).

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const host = hostNode();
const npm = existsSync(join(dirname(host.bin), "npm")) ? join(dirname(host.bin), "npm") : "npm";
const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const batch = "0x" + "11".repeat(32);
let tmp: string;
let nodeHome: string;
let work: string;

type Run = { code: number | null; stdout: string; stderr: string };

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return wrapperEnv(host.bin, nodeHome, extra);
}

function run(cmd: string, args: string[], cwd: string, e: NodeJS.ProcessEnv = env()): Promise<Run> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd, env: e, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("error", rej);
    child.on("close", (code) => res({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "keytrail-install-"));
  nodeHome = linkNodeHome(join(tmp, "node-home"));
  // The user's own folder: a config that names a chain id the wrong way, so every command that
  // reads it reports it by path (and nothing needs a chain).
  work = join(tmp, "work");
  mkdirSync(work);
  writeFileSync(join(work, "keytrail.config.json"), JSON.stringify({ chainId: "abc" }));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const configError = () => `Config file ${join(work, "keytrail.config.json")} is invalid`;

describe(`installing the keytrail command (host ${host.old ? "Node < 22.13" : "current Node, older-Node path forced"})`, () => {
  it("npm link puts keytrail on PATH without touching the clone; it runs from any folder with the caller's config", async () => {
    const lockBefore = readFileSync(join(ROOT, "package-lock.json"));
    const prefix = join(tmp, "prefix");
    // npm's global prefix in a temporary folder (npm_config_prefix, as a user's ~/.npmrc could set it).
    const linked = await run(npm, ["link", "--no-audit", "--no-fund"], ROOT, env({ npm_config_prefix: prefix }));
    expect(linked.code, linked.stderr).toBe(0);
    expect(readFileSync(join(ROOT, "package-lock.json")).equals(lockBefore), "package-lock.json rewritten").toBe(true);
    const bin = join(prefix, "bin", "keytrail");
    expect(existsSync(bin)).toBe(true);

    const v = await run(bin, ["--version"], work, env({ PATH: [join(prefix, "bin"), pathWith(host.bin)].join(":") }));
    expect(v, v.stderr).toMatchObject({ code: 0, stdout: `${version}\n` });
    const st = await run(
      "keytrail",
      ["status", "--batch", batch, "--index", "0"],
      work,
      env({ PATH: [join(prefix, "bin"), pathWith(host.bin)].join(":") }),
    );
    expect(st.code).toBe(1);
    expect(st.stderr).toContain(configError());
  });

  it("npm run keytrail runs in the folder npm was called from, not the repository root", async () => {
    const r = await run(
      npm,
      ["--prefix", ROOT, "run", "keytrail", "--", "status", "--batch", batch, "--index", "0"],
      work,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(configError());
  });

  it("the wrapper's first run installs the dependencies without rewriting package-lock.json", async () => {
    // A lockfile an npm install rewrites (its root version lags package.json's).
    const project = join(tmp, "project");
    mkdirSync(join(project, "scripts"), { recursive: true });
    copyFileSync(join(ROOT, "scripts", "bootstrap.mjs"), join(project, "scripts", "bootstrap.mjs"));
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "lock-fixture", version: "1.0.0", private: true }, null, 2),
    );
    const lock =
      JSON.stringify(
        {
          name: "lock-fixture",
          version: "0.9.0",
          lockfileVersion: 3,
          requires: true,
          packages: { "": { name: "lock-fixture", version: "0.9.0" } },
        },
        null,
        2,
      ) + "\n";
    writeFileSync(join(project, "package-lock.json"), lock);

    const r = await run(host.bin, [join(project, "scripts", "bootstrap.mjs"), "deps"], project);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(project, "package-lock.json"), "utf8")).toBe(lock);
    expect(readdirSync(join(project, "node_modules", ".keytrail-deps"))).toHaveLength(1);
    // A second run finds the stamp and installs nothing.
    const again = await run(
      host.bin,
      [join(project, "scripts", "bootstrap.mjs"), "deps"],
      project,
      env({ KEYTRAIL_BOOTSTRAP_QUIET: "0" }),
    );
    expect(again.stderr).not.toContain("installing npm dependencies");

    // The fixture is one npm rewrites when not told otherwise.
    const plain = await run(npm, ["install", "--no-audit", "--no-fund"], project);
    expect(plain.code, plain.stderr).toBe(0);
    expect(readFileSync(join(project, "package-lock.json"), "utf8")).not.toBe(lock);
  });
});
