#!/usr/bin/env node
// The `keytrail` command. Runs on any Node >= 18: on a Node older than 22.13 it re-runs itself
// through scripts/bootstrap.mjs (which brings Node 24); otherwise it loads the TypeScript CLI
// through tsx.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
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
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import(pathToFileURL(join(here, "cli", "main.ts")).href);
  process.exit(await main(process.argv));
}
