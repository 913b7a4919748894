import { spawn, type ChildProcess } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { descendants, hostNode, isAlive, linkNodeHome, wrapperEnv } from "./helpers/hostNode.js";

// The wrapper's older-Node path: the `keytrail` bin on a host Node < 22.13 re-runs itself through
// scripts/bootstrap.mjs on Node 24. Signals sent to the process the user started must reach the
// command, and the wrapper must exit with the command's status.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const host = hostNode();
let tmp: string;
let nodeHome: string;
let site: string;
const started: ChildProcess[] = [];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "keytrail-signals-"));
  nodeHome = linkNodeHome(join(tmp, "node-home"));
  site = join(tmp, "site");
  mkdirSync(site);
  writeFileSync(join(site, "index.html"), "<!doctype html><title>portal</title>");
});
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return wrapperEnv(host.bin, nodeHome, extra);
}

/** Starts a command and resolves once `ready` matches its output. */
function startUntil(cmd: string, args: string[], cwd: string, ready: RegExp, e: NodeJS.ProcessEnv) {
  const child = spawn(cmd, args, { cwd, env: e, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let out = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on("exit", (code, signal) => res({ code, signal })),
  );
  const up = new Promise<void>((res, rej) => {
    const check = (b: Buffer) => {
      out += b.toString();
      if (ready.test(out)) res();
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    void exited.then((r) => rej(new Error(`${cmd} ${args.join(" ")} exited early (${JSON.stringify(r)}):\n${out}`)));
  });
  return { child, up, exited, output: () => out };
}

async function gone(pids: number[], ms = 5000): Promise<number[]> {
  const until = Date.now() + ms;
  let alive = pids.filter(isAlive);
  while (alive.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    alive = alive.filter(isAlive);
  }
  return alive;
}

describe(`keytrail on the older-Node path (host ${host.old ? "Node < 22.13" : "current Node, forced"})`, () => {
  for (const [signal, code] of [
    ["SIGTERM", 130],
    ["SIGINT", 130],
  ] as const) {
    it(`${signal} to the keytrail process stops the command it runs and exits ${code}`, async () => {
      const run = startUntil(
        host.bin,
        [join(ROOT, "scripts", "keytrail.mjs"), "portal", "serve", "--dir", site, "--port", "0"],
        tmp,
        /portal: http:\/\//,
        env(),
      );
      await run.up;
      const below = descendants(run.child.pid!);
      // keytrail.mjs (host Node) -> bootstrap.mjs -> keytrail.mjs on Node 24, which serves.
      const exes = below.map((p) => {
        try {
          return realpathSync(readlinkSync(`/proc/${p}/exe`));
        } catch {
          return "";
        }
      });
      expect(exes, "the command runs on the bootstrap's Node").toContain(realpathSync(process.execPath));
      expect(below.length).toBeGreaterThanOrEqual(2);

      run.child.kill(signal);
      const r = await run.exited;
      expect(r, run.output()).toEqual({ code, signal: null });
      expect(await gone(below), `processes left running after ${signal}`).toEqual([]);
      expect(run.output()).toContain(`interrupted (${signal})`);
    });
  }

  it("SIGINT to `npm run demo`-style scripts (npm -> bootstrap run -> npm -> task) stops the task", async () => {
    // A project laid out like this one, with its "demo" and "demo:run" scripts as they are (the
    // task replaced by a small long-running one): npm's shell must not stand between npm and the task.
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    const taskScript = scripts["demo:run"]!.replace("tsx scripts/demo/main.ts", "node task.mjs");
    expect(taskScript).toContain("node task.mjs");
    const project = join(tmp, "project");
    mkdirSync(join(project, "scripts"), { recursive: true });
    copyFileSync(join(ROOT, "scripts", "bootstrap.mjs"), join(project, "scripts", "bootstrap.mjs"));
    const pidFile = join(project, "task.pid");
    writeFileSync(
      join(project, "task.mjs"),
      `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nconsole.log("task running");\nsetInterval(() => {}, 1000);\n`,
    );
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify(
        {
          name: "signals-fixture",
          version: "1.0.0",
          private: true,
          scripts: { demo: scripts.demo, "demo:run": taskScript },
        },
        null,
        2,
      ),
    );
    const npm = existsSync(join(dirname(host.bin), "npm")) ? join(dirname(host.bin), "npm") : "npm";
    const run = startUntil(npm, ["run", "demo"], project, /task running/, env());
    await run.up;
    const task = Number(readFileSync(pidFile, "utf8"));
    expect(isAlive(task)).toBe(true);
    const below = descendants(run.child.pid!);
    expect(below).toContain(task);

    run.child.kill("SIGINT");
    const r = await run.exited;
    expect(await gone(below), "processes left running after SIGINT to npm").toEqual([]);
    expect(isAlive(task)).toBe(false);
    expect(r.code === 130 || r.signal === "SIGINT", `npm exit ${JSON.stringify(r)}\n${run.output()}`).toBe(true);
  });
});
