import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYTRAIL, runCli } from "./helpers/runCli.js";

// Start-up: `keytrail --help` loads no command module, `keytrail <command>` that command's only;
// what they print is what the full program prints (KEYTRAIL_NO_BUNDLE=1 loads every module
// through tsx). Times are measured by `npm run bench` (bench/cli/startup.ts), not asserted here.

let cwd: string;
let trace: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "keytrail-startup-"));
  trace = join(cwd, "trace.mjs");
  // Records every module Node loads (file URLs) into KEYTRAIL_TRACE_FILE.
  writeFileSync(
    trace,
    `import { registerHooks } from "node:module";
import { appendFileSync } from "node:fs";
registerHooks({ load(url, context, next) { appendFileSync(process.env.KEYTRAIL_TRACE_FILE, url + "\\n"); return next(url, context); } });
`,
  );
});
afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

/** The modules a `keytrail …` run loads (it must exit 0). */
function loadedBy(args: string[]): Promise<string[]> {
  const file = join(cwd, `loaded-${args.join("_").replace(/\W/g, "")}.txt`);
  writeFileSync(file, "");
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("KEYTRAIL_") && !k.startsWith("VITEST") && k !== "NODE_OPTIONS") env[k] = v;
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ["--import", pathToFileURL(trace).href, KEYTRAIL, ...args], {
      cwd,
      env: { ...env, KEYTRAIL_TRACE_FILE: file },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) =>
      code === 0
        ? res(readFileSync(file, "utf8").split("\n").filter(Boolean))
        : rej(new Error(`exit ${code}: ${stderr}`)),
    );
  });
}

// esbuild names a command's chunk after its file (commands/index.ts: after its folder, "commands").
const chunk = (name: string) => new RegExp(`/node_modules/\\.cache/keytrail/cli-[0-9a-f]+/${name}-[A-Z0-9]+\\.mjs$`);

describe("keytrail start-up", () => {
  it("--help and verify --help print what the full program prints", async () => {
    for (const args of [["--help"], ["verify", "--help"], ["deauthorize", "--help"]]) {
      const [bundled, full] = await Promise.all([
        runCli(args, { cwd }),
        runCli(args, { cwd, env: { KEYTRAIL_NO_BUNDLE: "1" } }),
      ]);
      expect(bundled.code, bundled.stderr).toBe(0);
      expect(full.code, full.stderr).toBe(0);
      expect(bundled.stdout, `keytrail ${args.join(" ")}`).toBe(full.stdout);
    }
  });

  it("--version and -V print the package version", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    for (const args of [["--version"], ["-V"], ["--quiet", "--version"]]) {
      const r = await runCli(args, { cwd });
      expect(r, `keytrail ${args.join(" ")}`).toMatchObject({ code: 0, stdout: `${version}\n` });
    }
  });

  it("--help loads no command module; verify loads its own, not the indexer's, the audit's or PGlite", async () => {
    await loadedBy(["--version"]); // builds the bundle if stale, outside the traced runs
    const help = await loadedBy(["--help"]);
    const main = help.find((u) => /\/cli-[0-9a-f]+\/main\.mjs$/.test(u));
    const chunks = main ? readdirSync(new URL(".", main)).map((f) => `${new URL(".", main).href}${f}`) : [];
    for (const name of ["verify", "commands", "audit", "batch", "transfer"])
      expect(
        chunks.filter((u) => chunk(name).test(u)),
        `the ${name} chunk`,
      ).toHaveLength(1);
    expect(
      help.some((u) => /\/cli-[0-9a-f]+\/main\.mjs$/.test(u)),
      "runs from the bundle",
    ).toBe(true);
    for (const name of ["verify", "commands", "audit", "batch", "transfer"])
      expect(
        help.filter((u) => chunk(name).test(u)),
        `--help loads ${name}`,
      ).toEqual([]);
    expect(help.filter((u) => u.includes("/@electric-sql/pglite/"))).toEqual([]);

    const verify = await loadedBy(["--rpc-url", "http://127.0.0.1:1", "verify", "--help"]);
    expect(verify.filter((u) => chunk("verify").test(u))).toHaveLength(1);
    for (const name of ["commands", "audit", "batch", "transfer"])
      expect(
        verify.filter((u) => chunk(name).test(u)),
        `verify loads ${name}`,
      ).toEqual([]);
    expect(verify.filter((u) => u.includes("/@electric-sql/pglite/"))).toEqual([]);
  });
});
