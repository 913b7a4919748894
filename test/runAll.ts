/**
 * `npm test`: every suite of the project, in order, with one closing line `N passed, N failed`.
 *
 * Suites: lint (type check + eslint), Solidity tests (unit, fuzz, invariant) with the gas
 * snapshot check, Vitest (unit, integration on the in-process chain, PGlite and PostgreSQL, browser
 * end-to-end), and the demo's self-check (`npm run demo -- --once`).
 *
 * Options: `--only NAME[,NAME]` runs some suites (lint, solidity, vitest, demo);
 * any other argument is passed to Vitest (e.g. a file filter).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { useRunTempDir } from "../scripts/util/runTempDir.js";

type Outcome = { name: string; passed: number; failed: number; seconds: number; note?: string; failures?: string[] };

const args = process.argv.slice(2);
const onlyIdx = args.indexOf("--only");
const only = onlyIdx >= 0 ? new Set((args[onlyIdx + 1] ?? "").split(",")) : null;
const vitestArgs = onlyIdx >= 0 ? args.filter((_, i) => i !== onlyIdx && i !== onlyIdx + 1) : args;
const outDir = join("out", "test");
mkdirSync(outDir, { recursive: true });
// Every suite's temporary files go to one folder of this run, removed at the end when nothing failed.
const runTmp = useRunTempDir("keytrail-test-");

function run(cmd: string, argv: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      env: { ...process.env, FORCE_COLOR: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const onData = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString();
      stream.write(chunk);
    };
    child.stdout.on("data", onData(process.stdout));
    child.stderr.on("data", onData(process.stderr));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

async function lint(): Promise<Outcome> {
  const t = Date.now();
  const checks = [
    await run("tsc", ["--noEmit", "-p", "tsconfig.json"]),
    await run("tsc", ["--noEmit", "-p", "portal/tsconfig.json"]),
    await run("eslint", ["."]),
    await run("prettier", ["--check", "--log-level", "warn", "."]),
  ];
  const failed = checks.filter((c) => c.code !== 0).length;
  return {
    name: "lint (tsc, tsc portal, eslint, prettier)",
    passed: checks.length - failed,
    failed,
    seconds: (Date.now() - t) / 1000,
  };
}

/** Solidity unit, fuzz and invariant tests, and the gas snapshot check, in one Hardhat run. */
async function solidity(): Promise<Outcome[]> {
  const t = Date.now();
  const hasSnapshot = existsSync(".gas-snapshot");
  const r = await run("hardhat", ["test", "solidity", ...(hasSnapshot ? ["--snapshot-check"] : [])]);
  const text = stripAnsi(r.output);
  const passed = Number(/(\d+) passing/.exec(text)?.[1] ?? 0);
  let failed = Number(/(\d+) failing/.exec(text)?.[1] ?? 0);
  const snapshotOk = hasSnapshot && /Snapshot check passed/.test(text);
  if (r.code !== 0 && failed === 0 && snapshotOk) failed = 1;
  const seconds = (Date.now() - t) / 1000;
  return [
    { name: "solidity (unit, fuzz, invariant)", passed, failed, seconds },
    {
      name: "gas snapshot check",
      passed: snapshotOk ? 1 : 0,
      failed: snapshotOk ? 0 : 1,
      seconds: 0,
      note: hasSnapshot ? undefined : ".gas-snapshot is missing",
    },
  ];
}

async function vitest(): Promise<Outcome> {
  const t = Date.now();
  const report = join(outDir, "vitest.json");
  rmSync(report, { force: true });
  const r = await run("vitest", [
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...vitestArgs,
  ]);
  let passed = 0;
  let failed = 0;
  let failures: string[] = [];
  if (existsSync(report)) {
    const j = JSON.parse(readFileSync(report, "utf8")) as VitestReport;
    passed = j.numPassedTests;
    failed = j.numFailedTests;
    failures = failedTests(j);
  }
  // A suite that fails to load (syntax error, failing hook) has no failed test: count the run as one.
  if (r.code !== 0 && failed === 0) failed = 1;
  if (passed === 0 && failed === 0) failed = 1; // a run that executed no test is a failure here
  return { name: "vitest (unit, integration, e2e)", passed, failed, seconds: (Date.now() - t) / 1000, failures };
}

/** The parts of Vitest's JSON report read here. */
interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults?: {
    name: string;
    status: string;
    message?: string;
    assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

/** One line per failed test (file, name, first line of the error), or per file that failed to load. */
function failedTests(j: VitestReport): string[] {
  const out: string[] = [];
  const firstLine = (text: string | undefined) =>
    stripAnsi(text ?? "")
      .trim()
      .split("\n")[0]
      ?.slice(0, 240) ?? "";
  for (const file of j.testResults ?? []) {
    const rel = relative(process.cwd(), file.name);
    const failedHere = (file.assertionResults ?? []).filter((a) => a.status === "failed");
    for (const a of failedHere) out.push(`${rel} > ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
    if (failedHere.length === 0 && file.status === "failed") out.push(`${rel}: ${firstLine(file.message)}`);
  }
  return out;
}

async function demo(): Promise<Outcome> {
  const t = Date.now();
  if (!existsSync("scripts/demo/main.ts")) {
    return { name: "demo --once", passed: 0, failed: 1, seconds: 0, note: "scripts/demo/main.ts is missing" };
  }
  const r = await run("tsx", ["scripts/demo/main.ts", "--once"]);
  const failures = stripAnsi(r.output)
    .split("\n")
    .filter((line) => /^\s*(FAIL|error:)/.test(line))
    .map((line) => `demo: ${line.trim().slice(0, 240)}`);
  return {
    failures: r.code === 0 ? [] : failures,
    name: "demo --once",
    passed: r.code === 0 ? 1 : 0,
    failed: r.code === 0 ? 0 : 1,
    seconds: (Date.now() - t) / 1000,
  };
}

const suites: Record<string, () => Promise<Outcome | Outcome[]>> = { lint, solidity, vitest, demo };
const outcomes: Outcome[] = [];
for (const [name, fn] of Object.entries(suites)) {
  if (only && !only.has(name)) continue;
  process.stdout.write(`\n=== ${name} ===\n`);
  outcomes.push(...[await fn()].flat());
}

process.stdout.write("\n=== summary ===\n");
for (const o of outcomes) {
  process.stdout.write(
    `${o.failed ? "FAIL" : "ok  "} ${o.name.padEnd(36)} ${String(o.passed).padStart(5)} passed ${String(o.failed).padStart(3)} failed  ${o.seconds.toFixed(1)}s${o.note ? `  (${o.note})` : ""}\n`,
  );
}
// The failed tests by name, so that the end of the log (all a CI page may keep) says what failed.
const failures = outcomes.flatMap((o) => o.failures ?? []);
if (failures.length > 0) {
  process.stdout.write(`\nfailed tests (${failures.length}):\n`);
  for (const f of failures.slice(0, 20)) process.stdout.write(`  ${f}\n`);
  if (failures.length > 20)
    process.stdout.write(`  … and ${failures.length - 20} more (see the Vitest output above)\n`);
}
const passed = outcomes.reduce((a, o) => a + o.passed, 0);
const failed = outcomes.reduce((a, o) => a + o.failed, 0);
const kept = runTmp.finish(failed > 0);
if (kept) process.stdout.write(`${kept}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
