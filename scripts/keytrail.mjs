#!/usr/bin/env node
// The `keytrail` command. Runs on any Node >= 18: on a Node older than 22.13 it re-runs itself
// through scripts/bootstrap.mjs (which brings Node 24), passing on SIGINT, SIGTERM and SIGHUP and
// exiting with the command's status. Otherwise it runs the TypeScript CLI (scripts/cli/main.ts)
// in the caller's folder: from a bundle that esbuild (tsx's own dependency) writes into
// node_modules/.cache/keytrail/cli-<install>/ and rebuilds whenever a source file or the installed
// packages change; each command's modules load only when it runs. The bundle holds the project's modules and the pure-JS packages every command
// loads (viem, zod, commander, …), so a start reads one file instead of resolving hundreds of
// modules, and Node's compile cache (node_modules/.cache/keytrail/compile) skips parsing it again.
// Through tsx directly when the bundle cannot be built (or KEYTRAIL_NO_BUNDLE=1).
// `keytrail --version` prints the package version without loading the CLI.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import module from "node:module";
import { constants } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const [major, minor] = process.versions.node.split(".").map(Number);
const argv = process.argv.slice(2);
const forced = process.env.KEYTRAIL_BOOTSTRAP_FORCE === "1";

/**
 * Packages bundled into the CLI (with the packages they import). Any other package stays an
 * import of node_modules: those that load files next to their own code (PGlite's WebAssembly),
 * native or optional ones (pg), and the ones only some commands load on demand (ethers, qrcode).
 */
const BUNDLED_PACKAGES = new Set(["viem", "zod", "commander", "cli-progress", "@noble/hashes", "hash-wasm"]);

if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`${JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version}\n`);
} else if (major < 22 || (major === 22 && minor < 13) || forced) {
  process.exit(await runThroughBootstrap());
} else {
  const main = (await loadBundle()) ?? (await loadWithTsx());
  process.exit(await main(process.argv));
}

/** Runs this command under the bootstrap's Node 24; signals go to it, its status is ours. */
function runThroughBootstrap() {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [join(here, "bootstrap.mjs"), "exec", join("scripts", "keytrail.mjs"), "--", ...argv],
      {
        stdio: "inherit",
        env: { ...process.env, KEYTRAIL_BOOTSTRAP_QUIET: process.env.KEYTRAIL_BOOTSTRAP_QUIET ?? "1" },
      },
    );
    const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
    const forward = (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const s of signals) process.on(s, forward);
    child.on("error", (e) => {
      process.stderr.write(`keytrail: could not start the Node 24 bootstrap: ${e.message}\n`);
      done(1);
    });
    child.on("exit", (code, signal) => {
      for (const s of signals) process.off(s, forward);
      done(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
    });
  });
}

/** The CLI through tsx (every module compiled on load). */
async function loadWithTsx() {
  const { register } = await import("tsx/esm/api");
  register();
  return (await import(pathToFileURL(join(here, "cli", "main.ts")).href)).main;
}

/**
 * The CLI from its esbuild bundle, rebuilt when stale; undefined when that is not possible. The
 * bundle is split: the entry holds the root program only and each command loads on use, and the
 * list of top-level commands (cli.commands.json) lets `keytrail --help` load none of them.
 */
async function loadBundle() {
  if (process.env.KEYTRAIL_NO_BUNDLE === "1") return undefined;
  const cache = join(root, "node_modules", ".cache", "keytrail");
  // One bundle per install folder: several checkouts may share one node_modules.
  const dir = join(cache, `cli-${createHash("sha256").update(root).digest("hex").slice(0, 12)}`);
  const bundle = join(dir, "main.mjs");
  const meta = join(dir, "cli.inputs.json");
  const summaries = join(dir, "cli.commands.json");
  try {
    module.enableCompileCache?.(join(cache, "compile"));
    if (isStale(bundle, meta) || !existsSync(summaries)) {
      const esbuild = await import("esbuild");
      const tmp = `${dir}.${process.pid}.tmp`;
      const result = await esbuild.build({
        entryPoints: { main: join(here, "cli", "main.ts"), describeCommands: join(here, "cli", "describeCommands.ts") },
        bundle: true,
        splitting: true,
        platform: "node",
        format: "esm",
        target: "node22",
        outdir: tmp,
        outExtension: { ".js": ".mjs" },
        metafile: true,
        logLevel: "silent",
        absWorkingDir: root,
        // Bundled CommonJS packages call require() for Node's own modules.
        banner: {
          js: 'import { createRequire as __keytrailRequire } from "node:module"; const require = __keytrailRequire(import.meta.url);',
        },
        plugins: [externalPackages(), keepModuleUrls()],
      });
      const { describeCommands } = await import(pathToFileURL(join(tmp, "describeCommands.mjs")).href);
      writeFileSync(join(tmp, "cli.commands.json"), JSON.stringify(await describeCommands()));
      const sources = Object.keys(result.metafile.inputs)
        .map((p) => resolve(root, p))
        .filter((p) => !p.split(sep).includes("node_modules"));
      const installed = [join(root, "package.json"), join(root, "node_modules", ".package-lock.json")].filter((p) =>
        existsSync(p),
      );
      writeFileSync(
        join(tmp, "cli.inputs.json"),
        JSON.stringify([fileURLToPath(import.meta.url), ...installed, ...sources]),
      );
      // Swap the folder in whole: a process still running the old bundle keeps its open modules.
      const old = `${dir}.${process.pid}.old`;
      if (existsSync(dir)) renameSync(dir, old);
      renameSync(tmp, dir);
      rmSync(old, { recursive: true, force: true });
    }
    const commands = JSON.parse(readFileSync(summaries, "utf8"));
    const { main } = await import(pathToFileURL(bundle).href);
    return (args) => main(args, { commands });
  } catch (e) {
    if (process.env.KEYTRAIL_DEBUG)
      process.stderr.write(`keytrail: running through tsx, the bundle failed: ${e?.stack ?? e}\n`);
    return undefined;
  }
}

/** The package a bare import names: "viem/accounts" → "viem", "@noble/hashes/sha3.js" → "@noble/hashes". */
function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Leaves every package out of the bundle except BUNDLED_PACKAGES and what those import. */
function externalPackages() {
  return {
    name: "external-packages",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith("node:") || args.kind === "entry-point") return undefined;
        const fromPackage = relative(root, args.importer).split(sep).includes("node_modules");
        if (fromPackage || BUNDLED_PACKAGES.has(packageName(args.path))) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

/** Keeps each bundled module's import.meta.url pointing at its source file (modules find files next to them). */
function keepModuleUrls() {
  return {
    name: "keep-module-urls",
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        const source = readFileSync(args.path, "utf8");
        if (!source.includes("import.meta.url")) return undefined;
        return {
          contents: source.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)),
          loader: "ts",
        };
      });
    },
  };
}

function isStale(bundle, meta) {
  if (!existsSync(bundle) || !existsSync(meta)) return true;
  const built = statSync(bundle).mtimeMs;
  for (const input of JSON.parse(readFileSync(meta, "utf8"))) {
    if (!existsSync(input) || statSync(input).mtimeMs > built) return true;
  }
  return false;
}
