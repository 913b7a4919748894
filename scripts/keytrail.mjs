#!/usr/bin/env node
// The `keytrail` command. Runs on any Node >= 18: on a Node older than 22.13 it re-runs itself
// through scripts/bootstrap.mjs (which brings Node 24). Otherwise it runs the TypeScript CLI
// (scripts/cli/main.ts): from a bundle that esbuild (tsx's own dependency) writes into
// node_modules/.cache/keytrail/ and rebuilds whenever a source file changes, which starts about
// twice as fast as loading every module through tsx; or through tsx directly when the bundle
// cannot be built (or KEYTRAIL_NO_BUNDLE=1).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const [major, minor] = process.versions.node.split(".").map(Number);

if (major < 22 || (major === 22 && minor < 13)) {
  const r = spawnSync(process.execPath, [join(here, "bootstrap.mjs"), "exec", join("scripts", "keytrail.mjs"), "--", ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, KEYTRAIL_BOOTSTRAP_QUIET: process.env.KEYTRAIL_BOOTSTRAP_QUIET ?? "1" },
  });
  if (r.error) {
    process.stderr.write(`keytrail: could not start the Node 24 bootstrap: ${r.error.message}\n`);
    process.exit(1);
  }
  process.exit(r.status ?? 1);
} else {
  const main = (await loadBundle()) ?? (await loadWithTsx());
  process.exit(await main(process.argv));
}

/** The CLI through tsx (every module compiled on load). */
async function loadWithTsx() {
  const { register } = await import("tsx/esm/api");
  register();
  return (await import(pathToFileURL(join(here, "cli", "main.ts")).href)).main;
}

/** The CLI from its esbuild bundle, rebuilt when stale; undefined when that is not possible. */
async function loadBundle() {
  if (process.env.KEYTRAIL_NO_BUNDLE === "1") return undefined;
  const dir = join(root, "node_modules", ".cache", "keytrail");
  const bundle = join(dir, "cli.mjs");
  const meta = join(dir, "cli.inputs.json");
  try {
    if (isStale(bundle, meta)) {
      const esbuild = await import("esbuild");
      const tmp = `${bundle}.${process.pid}.tmp`;
      mkdirSync(dir, { recursive: true });
      const result = await esbuild.build({
        entryPoints: [join(here, "cli", "main.ts")],
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node22",
        packages: "external",
        outfile: tmp,
        metafile: true,
        logLevel: "silent",
        plugins: [keepModuleUrls()],
      });
      const inputs = [fileURLToPath(import.meta.url), ...Object.keys(result.metafile.inputs).map((p) => resolve(root, p))];
      writeFileSync(`${meta}.${process.pid}.tmp`, JSON.stringify(inputs));
      renameSync(tmp, bundle);
      renameSync(`${meta}.${process.pid}.tmp`, meta);
    }
    return (await import(pathToFileURL(bundle).href)).main;
  } catch (e) {
    if (process.env.KEYTRAIL_DEBUG) process.stderr.write(`keytrail: running through tsx, the bundle failed: ${e?.stack ?? e}\n`);
    return undefined;
  }
}

/** Keeps each bundled module's import.meta.url pointing at its source file (modules find files next to them). */
function keepModuleUrls() {
  return {
    name: "keep-module-urls",
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        const source = readFileSync(args.path, "utf8");
        if (!source.includes("import.meta.url")) return undefined;
        return { contents: source.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)), loader: "ts" };
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
