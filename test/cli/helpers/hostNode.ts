import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";

function versionOf(bin: string): string | undefined {
  try {
    return execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

function isOld(version: string): boolean {
  const [maj, min] = version.replace(/^v/, "").split(".").map(Number);
  return maj! < 22 || (maj === 22 && min! < 13);
}

/**
 * A Node older than 22.13 on this machine (PATH, /usr/bin, /usr/local/bin), as CI hosts have,
 * or the running Node when there is none (tests then force the wrapper's older-Node path with
 * KEYTRAIL_BOOTSTRAP_FORCE=1, which they set in both cases).
 *
 * @returns the Node binary and whether it is older than 22.13.
 * @example
 * const { bin } = hostNode();
 */
export function hostNode(): { bin: string; old: boolean } {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/usr/local/bin"];
  for (const dir of dirs) {
    const bin = join(dir, "node");
    if (!dir || !existsSync(bin)) continue;
    const v = versionOf(bin);
    if (v && isOld(v)) return { bin, old: true };
  }
  return { bin: process.execPath, old: false };
}

/**
 * A folder laid out like the wrapper's Node 24 cache (node_modules/node/bin/node), holding a link
 * to the Node running the tests: the wrapper's older-Node path finds it there and downloads nothing.
 *
 * @param dir - an empty folder.
 * @returns `dir`, for KEYTRAIL_NODE_HOME.
 * @example
 * const env = { KEYTRAIL_NODE_HOME: linkNodeHome(mkdtempSync(join(tmpdir(), "node-home-"))) };
 */
export function linkNodeHome(dir: string): string {
  const binDir = join(dir, "node_modules", "node", "bin");
  mkdirSync(binDir, { recursive: true });
  symlinkSync(process.execPath, join(binDir, "node"));
  return dir;
}

/**
 * Every live process below `pid` (Linux /proc).
 *
 * @param pid - the ancestor.
 * @returns the descendants' pids.
 * @example
 * const pids = descendants(child.pid!);
 */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(join("/proc", entry, "stat"), "utf8");
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(entry), ppid);
    } catch {
      // the process ended meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent)
      if (pp === p) {
        out.push(child);
        walk(child);
      }
  };
  walk(pid);
  return out;
}

/**
 * Whether a process is still running (a zombie counts as ended).
 *
 * @param pid - the process.
 * @returns true while it runs.
 * @example
 * expect(isAlive(pid)).toBe(false);
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(join("/proc", String(pid), "stat"), "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** PATH with `bin`'s folder first. */
export function pathWith(bin: string): string {
  return [dirname(bin), process.env.PATH ?? ""].join(delimiter);
}

/**
 * The environment a user's shell would give the `keytrail` wrapper on the host Node: the test
 * runner's own variables (KEYTRAIL_*, VITEST*, npm_*, NODE_OPTIONS, INIT_CWD) removed, the host
 * Node first on PATH, and the older-Node path forced with its Node home.
 *
 * @param bin - the host Node binary.
 * @param nodeHome - the folder for KEYTRAIL_NODE_HOME (see {@link linkNodeHome}).
 * @param extra - variables to add or override.
 * @returns the environment.
 * @example
 * spawn("keytrail", ["--version"], { env: wrapperEnv(host.bin, nodeHome) });
 */
export function wrapperEnv(bin: string, nodeHome: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (
      !k.startsWith("KEYTRAIL_") &&
      !k.startsWith("VITEST") &&
      !/^npm_/i.test(k) &&
      k !== "NODE_OPTIONS" &&
      k !== "INIT_CWD"
    )
      e[k] = v;
  return {
    ...e,
    PATH: pathWith(bin),
    KEYTRAIL_BOOTSTRAP_FORCE: "1",
    KEYTRAIL_NODE_HOME: nodeHome,
    FORCE_COLOR: "0",
    ...extra,
  };
}
