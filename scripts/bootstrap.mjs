#!/usr/bin/env node
// KeyTrail toolchain wrapper (think of the Gradle wrapper).
//
// Runs on any Node >= 18 with no dependencies. It makes sure that
//   1. a Node >= 22.13 is available: the host's own when it is new enough, otherwise Node 24
//      from the npm registry's `node` package, installed once into a cache folder;
//   2. the project's npm dependencies are installed by npm running *on that Node* (npm leaves
//      out optional native packages such as Hardhat's EVM binding when it runs on an older Node);
//   3. the requested npm script or file then runs on that Node, with it first on PATH.
//
// Usage (from package.json scripts):
//   node scripts/bootstrap.mjs run <npm-script> [-- args...]
//   node scripts/bootstrap.mjs exec <file.mjs> [-- args...]
//   node scripts/bootstrap.mjs node            (prints the path of the Node it would use)
//
// Signals: SIGINT, SIGTERM and SIGHUP sent to this process are passed on to the task, and this
// process exits with the task's status (128 + the signal's number when the task dies of one).
// `exec` runs the file in the caller's folder: the current one, or the folder `npm run` was
// called from (INIT_CWD) when this wrapper is the npm script itself.
// KEYTRAIL_BOOTSTRAP_FORCE=1 takes the older-Node path (the cached Node 24) even on a current
// host Node, for tests of that path; KEYTRAIL_NODE_HOME overrides the cache folder.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { constants, homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MIN = [22, 13];
const NODE_PKG = "node@24.21.0";
const quiet = process.env.KEYTRAIL_BOOTSTRAP_QUIET === "1";
const force = process.env.KEYTRAIL_BOOTSTRAP_FORCE === "1";
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];

function log(msg) {
  if (!quiet) process.stderr.write(`[keytrail] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`[keytrail] error: ${msg}\n`);
  process.exit(1);
}

function versionOk(v) {
  const [maj, min] = v.replace(/^v/, "").split(".").map(Number);
  return maj > MIN[0] || (maj === MIN[0] && min >= MIN[1]);
}

function cacheDir() {
  if (process.env.KEYTRAIL_NODE_HOME) return process.env.KEYTRAIL_NODE_HOME;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "keytrail", "node24");
}

/** The npm CLI script of the npm that invoked us (or the one on PATH). */
function npmCli() {
  const fromEnv = process.env.npm_execpath;
  if (fromEnv && existsSync(fromEnv) && /npm-cli\.js$/.test(fromEnv)) return fromEnv;
  const candidates = [
    join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js"),
    "/usr/lib/node_modules/npm/bin/npm-cli.js",
    "/usr/local/lib/node_modules/npm/bin/npm-cli.js",
  ];
  for (const c of candidates) if (existsSync(c)) return c;
  return null;
}

function findNodeBinary(dir) {
  const cands = [
    join(dir, "node_modules", "node", "bin", "node"),
    join(dir, "node_modules", "node", "node_modules", `node-${process.platform}-${process.arch}`, "bin", "node"),
  ];
  for (const c of cands) {
    if (!existsSync(c)) continue;
    const r = spawnSync(c, ["--version"], { encoding: "utf8" });
    if (r.status === 0 && versionOk(r.stdout.trim())) return c;
  }
  return null;
}

/** Returns the path of a Node binary >= 22.13, installing Node 24 if the host's is older. */
function ensureNode() {
  if (versionOk(process.version) && !force) return process.execPath;
  const dir = cacheDir();
  let bin = findNodeBinary(dir);
  if (bin) return bin;
  log(`host Node ${process.version} is older than ${MIN.join(".")}; installing ${NODE_PKG} into ${dir} (once)`);
  mkdirSync(dir, { recursive: true });
  const cli = npmCli();
  const args = ["install", "--prefix", dir, "--no-save", "--no-audit", "--no-fund", "--loglevel=error", NODE_PKG];
  const r = cli
    ? spawnSync(process.execPath, [cli, ...args], { stdio: "inherit" })
    : spawnSync("npm", args, { stdio: "inherit", shell: process.platform === "win32" });
  if (r.status !== 0) fail(`could not install ${NODE_PKG} from the npm registry (exit ${r.status}).`);
  bin = findNodeBinary(dir);
  if (!bin) fail(`${NODE_PKG} installed into ${dir} but no working node binary was found there.`);
  return bin;
}

function envWith(nodeBin) {
  const binDir = dirname(nodeBin);
  const PATH = [join(ROOT, "node_modules", ".bin"), binDir, process.env.PATH || ""].join(delimiter);
  const env = { ...process.env, PATH, KEYTRAIL_NODE: nodeBin };
  // The forced path applies to this wrapper only: the task runs on a current Node.
  delete env.KEYTRAIL_BOOTSTRAP_FORCE;
  return env;
}

/** What the install depends on: package.json's dependency fields (not its scripts), the lockfile, Node's major. */
function depsStamp(nodeVersion) {
  const h = createHash("sha256");
  const pkgFile = join(ROOT, "package.json");
  const pkg = existsSync(pkgFile) ? JSON.parse(readFileSync(pkgFile, "utf8")) : {};
  const fields = [
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
    "overrides",
    "allowScripts",
  ];
  h.update(JSON.stringify(fields.map((f) => pkg[f] ?? null)));
  const lock = join(ROOT, "package-lock.json");
  if (existsSync(lock)) h.update(readFileSync(lock));
  h.update(nodeVersion.split(".")[0]);
  return h.digest("hex");
}

/**
 * Installs npm dependencies with npm running on `nodeBin`, unless already done for these
 * dependencies: node_modules/.keytrail-deps/<stamp> marks the installed state (one file, replaced
 * on each install).
 */
function ensureDeps(nodeBin) {
  const stampDir = join(ROOT, "node_modules", ".keytrail-deps");
  const nodeVersion =
    nodeBin === process.execPath
      ? process.version
      : spawnSync(nodeBin, ["--version"], { encoding: "utf8" }).stdout.trim();
  const want = depsStamp(nodeVersion);
  if (existsSync(join(stampDir, want))) return;
  log(`installing npm dependencies (npm install on Node ${nodeVersion})`);
  const cli = npmCli();
  // --no-save: install what package-lock.json pins, never rewrite it (an npm newer than the one that
  // wrote the lockfile would otherwise add entries to it on a user's first run).
  const args = ["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error"];
  const r = cli
    ? spawnSync(nodeBin, [cli, ...args], { stdio: "inherit", cwd: ROOT, env: envWith(nodeBin) })
    : spawnSync("npm", args, { stdio: "inherit", cwd: ROOT, env: envWith(nodeBin) });
  if (r.status !== 0) fail(`npm install failed (exit ${r.status}); see the messages above.`);
  rmSync(stampDir, { recursive: true, force: true });
  mkdirSync(stampDir, { recursive: true }); // also when a project without dependencies has no node_modules
  writeFileSync(join(stampDir, want), `${new Date().toISOString()} npm install on Node ${nodeVersion}\n`);
}

/**
 * Runs the task and settles with its exit status. SIGINT, SIGTERM and SIGHUP received meanwhile
 * go to the task (which decides how to stop); a task killed by a signal gives 128 + its number.
 */
function runTask(command, args, options) {
  return new Promise((done) => {
    const child = spawn(command, args, { stdio: "inherit", ...options });
    const forward = (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const s of FORWARDED_SIGNALS) process.on(s, forward);
    child.on("error", (e) => fail(`could not start ${command}: ${e.message}`));
    child.on("exit", (code, signal) => {
      for (const s of FORWARDED_SIGNALS) process.off(s, forward);
      done(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
    });
  });
}

/** The caller's folder: where `npm run <script>` was typed when this wrapper is that script. */
function callerCwd() {
  const init = process.env.INIT_CWD;
  const direct = /\bbootstrap\.mjs\s+exec\b/.test(process.env.npm_lifecycle_script ?? "");
  if (init && direct && resolve(process.cwd()) === ROOT && existsSync(init)) return init;
  return process.cwd();
}

async function main() {
  const [mode, target, ...rest] = process.argv.slice(2);
  const args = rest[0] === "--" ? rest.slice(1) : rest;
  const nodeBin = ensureNode();
  if (mode === "node") {
    process.stdout.write(nodeBin + "\n");
    return;
  }
  ensureDeps(nodeBin);
  const env = envWith(nodeBin);
  let code;
  if (mode === "run") {
    const cli = npmCli();
    const npmArgs = ["run", "--silent", target, "--", ...args];
    code = cli
      ? await runTask(nodeBin, [cli, ...npmArgs], { cwd: ROOT, env })
      : await runTask("npm", npmArgs, { cwd: ROOT, env, shell: process.platform === "win32" });
  } else if (mode === "exec") {
    code = await runTask(nodeBin, [resolve(ROOT, target), ...args], { cwd: callerCwd(), env });
  } else if (mode === "deps") {
    return;
  } else {
    fail(`unknown mode ${JSON.stringify(mode)}; expected run, exec, deps or node`);
  }
  process.exit(code);
}

await main();
