/**
 * `npm run demo` — KeyTrail end to end on one machine.
 *
 * Starts a local Hardhat node on 127.0.0.1, deploys the ledger, registers a registrar, a
 * regulator, two suppliers, tier-1 and tier-2 distributors and two retailers (one not authorised),
 * seals and anchors three batches (one of 1,000,000 keys, one restricted, one from a GBK
 * spreadsheet export), moves ranges down the tiers, revokes a stolen range, redeems keys, plants a
 * few anomalies, runs the indexer, the audit and the export, builds and serves the portal, prints
 * what happened and eight verify links (genuine, revoked, redeemed, not-in-batch, seller-not-holder, and the
 * sale verdicts: sold-to-you, sold-to-another, not-yet-sold) and writes their QR images. The membership batch is
 * sale-required: the retailer records sales (POSA) and an unsold code is refused at redemption. Then the
 * order gateway: the retailer's sales and a distributor's transfers through `keytrail gateway` on a chain
 * mining every 2 s, a burst with one gateway killed and restarted, a repeated order reference (orders/s and
 * p99 confirmation printed). It keeps serving until Ctrl-C.
 *
 *   npm run demo                 serve until Ctrl-C
 *   npm run demo -- --once       check the eight links through `keytrail verify` and the built site
 *                                in headless Chromium, and that every order the gateway accepted is
 *                                recorded on chain exactly once, then exit (0 only if all is right)
 *   npm run demo -- --keys N     size of the large batch (default 1,000,000)
 *
 * Everything lives under .keytrail/demo/, recreated on each run.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import QRCode from "qrcode";
import { type Address, type Hex, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { parsePayloadInput } from "../../lib/payload/parsePayloadInput.js";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import { launchChromium } from "../browser/launchChromium.js";
import { freePort } from "../chain/freePort.js";
import { startLocalNode, type LocalNode } from "../chain/startLocalNode.js";
import { runGatewayOrders } from "./runGatewayOrders.js";
import { writeDemoKeyFiles } from "./writeDemoKeyFiles.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const KEYTRAIL = join(ROOT, "scripts", "keytrail.mjs");
const argv = process.argv.slice(2);
const once = argv.includes("--once");
const keysIdx = argv.indexOf("--keys");
const GAME_KEYS = keysIdx >= 0 ? Number(argv[keysIdx + 1]) : 1_000_000;
if (!Number.isInteger(GAME_KEYS) || GAME_KEYS < 200_000) {
  process.stderr.write(`demo: --keys must be a whole number >= 200000 (got ${JSON.stringify(argv[keysIdx + 1])})\n`);
  process.exit(2);
}

const MNEMONIC = "test test test test test test test test test test test junk";
const acct = (i: number): Address => mnemonicToAccount(MNEMONIC, { addressIndex: i }).address;

/** Who is who in the demo: Hardhat's local test accounts. */
const P = {
  registrar: { i: 0, name: "平台运营方 KeyTrail Registry" },
  regulator: { i: 1, name: "监管机构 Market Regulator" },
  galaxy: { i: 2, name: "星河游戏 Galaxy Games (game publisher)" },
  huatong: { i: 3, name: "华通电信 Huatong Telecom (top-up issuer)" },
  jinpeng: { i: 4, name: "金鹏商贸 Jinpeng Trading (tier-1 distributor)" },
  xinyuan: { i: 5, name: "信源卡业 Xinyuan Cards (tier-2 distributor)" },
  kameng: { i: 6, name: "卡盟小店 Kameng Store (authorised retailer)" },
  quick: { i: 7, name: "快卡 Quick Cards (retailer, not authorised)" },
  redeemer: { i: 8, name: "Galaxy redemption service" },
} as const;
const addr = (k: keyof typeof P) => acct(P[k].i);

const work = join(ROOT, ".keytrail", "demo");
const t0 = Date.now();
const events: { step: string; seconds: number; detail: string }[] = [];

function say(line: string) {
  process.stdout.write(`${line}\n`);
}

/** Runs the keytrail CLI (a real child process, as a user would); stderr (progress bars) passes through. */
function keytrail(
  args: string[],
  opts: {
    account?: number;
    expectFail?: boolean;
    /** With expectFail: the failure must be this one (a different error fails the demo, naming both). */
    expectError?: RegExp;
    okCodes?: number[];
    env?: Record<string, string>;
  } = {},
): Promise<string> {
  const full = [...args, ...(opts.account !== undefined ? ["--account", String(opts.account)] : [])];
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [KEYTRAIL, ...full], {
      cwd: work,
      env: { ...process.env, ...opts.env, KEYTRAIL_RPC_URL: rpcUrl, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", opts.expectFail ? "pipe" : "inherit"],
    });
    let out = "";
    let err = "";
    child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (err += b.toString()));
    child.on("close", (code) => {
      if (opts.expectFail) {
        if (code === 0) return rej(new Error(`keytrail ${full.join(" ")} should have failed but succeeded`));
        if (opts.expectError && !opts.expectError.test(err))
          return rej(new Error(`keytrail ${full.join(" ")} failed, but not with ${opts.expectError}:\n${err.trim()}`));
        return res(err.trim());
      }
      if (code === 0 || (code !== null && opts.okCodes?.includes(code))) return res(out);
      rej(new Error(`keytrail ${full.join(" ")} failed (exit ${code}):\n${out}`));
    });
  });
}

async function step<T>(name: string, fn: () => Promise<T>, detail?: (r: T) => string): Promise<T> {
  const t = Date.now();
  say(`\n▶ ${name}`);
  const r = await fn();
  const seconds = (Date.now() - t) / 1000;
  const d = detail ? detail(r) : "";
  events.push({ step: name, seconds, detail: d });
  say(`  ✓ ${name}${d ? ` — ${d}` : ""} (${seconds.toFixed(1)} s)`);
  return r;
}

/** A few fields of a command's JSON output, for the summary table. */
function summarise(json: string, keys: string[]): string {
  try {
    const o = JSON.parse(json) as Record<string, unknown>;
    return keys
      .filter((k) => o[k] !== undefined)
      .map((k) => {
        const v = o[k] as { number?: unknown } | string | number;
        const shown =
          typeof v === "object" && v !== null
            ? "number" in v
              ? `block ${String(v.number)}`
              : JSON.stringify(v).slice(0, 80)
            : String(v);
        return `${k} ${shown}`;
      })
      .join(", ");
  } catch {
    return json.trim().slice(0, 120).replace(/\s+/g, " ");
  }
}

let rpcUrl = "";
let node: LocalNode | undefined;

async function main(): Promise<number> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const portalPort = await freePort(4321);
  const portalBase = `http://127.0.0.1:${portalPort}`;

  node = await step(
    "start a local Hardhat node",
    () => startLocalNode({ preferDefaultPort: true }),
    (n) => n.url,
  );
  rpcUrl = node.url;

  const deployment = await step(
    "deploy KeyLedger",
    async () =>
      JSON.parse(await keytrail(["deploy", "--json"], { account: P.registrar.i })) as {
        ledger: Address;
        chainId: number;
      },
    (d) => `ledger ${d.ledger} on chain ${d.chainId}`,
  );
  await keytrail([
    "init",
    "--network",
    "demo",
    "--chain",
    String(deployment.chainId),
    "--rpc",
    rpcUrl,
    "--ledger",
    deployment.ledger,
    "--portal",
    portalBase,
    "--force",
  ]);

  await step(
    "registrar grants the regulator role and registers parties",
    async () => {
      await keytrail(["role", "grant", "regulator", addr("regulator")], { account: P.registrar.i });
      const reg = (k: keyof typeof P, kind: string, until = "730d") =>
        keytrail(
          [
            "party",
            "register",
            addr(k),
            "--kind",
            kind,
            "--name",
            P[k].name,
            "--profile-uri",
            `https://registry.example.cn/parties/${k}`,
            "--accredited-until",
            until,
          ],
          { account: P.registrar.i },
        );
      await reg("galaxy", "supplier");
      await reg("huatong", "supplier");
      await reg("jinpeng", "distributor");
      await reg("xinyuan", "distributor");
      await reg("kameng", "retailer");
      await reg("quick", "retailer", "30d");
    },
    () => "2 suppliers, 2 distributors, 2 retailers",
  );

  await step(
    "suppliers authorise their channel (授权书) and a redeemer",
    async () => {
      for (const supplier of ["galaxy", "huatong"] as const) {
        await keytrail(["authorize", addr("jinpeng"), "--tier", "1", "--expires", "365d"], { account: P[supplier].i });
        await keytrail(["authorize", addr("xinyuan"), "--tier", "2", "--expires", "365d"], { account: P[supplier].i });
        await keytrail(["authorize", addr("kameng"), "--tier", "3", "--expires", "365d"], { account: P[supplier].i });
      }
      await keytrail(["redeemer", "add", addr("redeemer")], { account: P.galaxy.i });
    },
    () => "Quick Cards is not authorised by anyone",
  );

  const files = await step(
    "write suppliers' key files",
    () => writeDemoKeyFiles(work, GAME_KEYS),
    () =>
      `${GAME_KEYS.toLocaleString("en-US")} game cards (UTF-8), 20,000 top-up cards (BOM, CRLF), 2,000 membership codes (GBK)`,
  );

  const dirs = {
    game: join(work, "batches", "galaxy-2026-11"),
    telecom: join(work, "batches", "huatong-q4"),
    membership: join(work, "batches", "galaxy-vip"),
  };
  type Seal = { batchId: Hex; root: Hex; count: number };
  const seal = async (file: string, out: string, account: number, extra: string[]) =>
    JSON.parse(
      await keytrail(["batch", "seal", file, "--out", out, "--portal", portalBase, "--json", ...extra], { account }),
    ) as Seal;

  const game = await step(
    `seal ${GAME_KEYS.toLocaleString("en-US")} game point cards`,
    () =>
      seal(files.game, dirs.game, P.galaxy.i, [
        "--label",
        "galaxy-2026-11",
        "--product",
        "06901234567892",
        "--gtin",
        "06901234567892",
        "--face",
        "50",
        "--currency",
        "CNY",
        "--expires",
        "2035-12-31",
      ]),
    (s) => `batch ${s.batchId.slice(0, 10)}… root ${s.root.slice(0, 10)}…`,
  );
  const telecom = await step(
    "seal 20,000 telecom top-up cards (restricted batch)",
    () =>
      seal(files.telecom, dirs.telecom, P.huatong.i, [
        "--label",
        "huatong-q4",
        "--product",
        "SKU-TOPUP-100",
        "--face",
        "100",
        "--currency",
        "CNY",
        "--expires",
        "2035-06-30",
        "--restricted",
        // 18-digit PINs carry about 60 bits: the seal refuses them unless told; the operator keeps its format
        // and shows only the public form before sale
        "--allow-weak-keys",
      ]),
    (s) => `batch ${s.batchId.slice(0, 10)}…`,
  );
  const vip = await step(
    "seal 2,000 membership codes from a GBK export",
    () =>
      seal(files.membership, dirs.membership, P.galaxy.i, [
        "--label",
        "galaxy-vip",
        "--product",
        "SKU-VIP-30D",
        "--face",
        "30",
        "--currency",
        "CNY",
        "--expires",
        "2035-03-31",
        "--encoding",
        "auto",
        "--case-insensitive",
        // 12 characters of a 32-character alphabet: about 60 bits, sealed knowingly (sold only through recorded sales)
        "--allow-weak-keys",
      ]),
    (s) => `batch ${s.batchId.slice(0, 10)}…`,
  );

  await step("anchor the three batches (and re-run one anchor: a no-op)", async () => {
    await keytrail(
      ["batch", "anchor", dirs.game, "--manifest-uri", `${portalBase}/export/batches/${game.batchId}/manifest.json`],
      { account: P.galaxy.i },
    );
    await keytrail(["batch", "anchor", dirs.telecom], { account: P.huatong.i });
    // Membership codes are sold only through recorded sales: stolen unsold stock is worthless.
    await keytrail(["batch", "anchor", dirs.membership, "--sale-required"], { account: P.galaxy.i });
    await keytrail(["batch", "anchor", dirs.game], { account: P.galaxy.i });
  });

  // Ranges scale with the batch: tier 1 receives the first 60 %; anomalies are planted near its end.
  const t1End = Math.floor(GAME_KEYS * 0.6) - 1;
  const circ = t1End - 9_999;
  const upstream = t1End - 99;
  await step(
    "move ranges down the tiers",
    async () => {
      const tr = (batch: string, range: string, to: keyof typeof P, from: keyof typeof P, memo: string) =>
        keytrail(["transfer", "--batch", batch, "--range", range, "--to", addr(to), "--memo", memo], {
          account: P[from].i,
        });
      await tr(dirs.game, `0-${t1End}`, "jinpeng", "galaxy", "PO-2026-1101");
      await tr(dirs.game, "0-99999", "xinyuan", "jinpeng", "PO-2026-1102");
      await tr(dirs.game, "0-9999", "kameng", "xinyuan", "PO-2026-1103");
      await tr(dirs.game, "10000-10999", "quick", "xinyuan", "PO-2026-1104");
      await tr(dirs.telecom, "0-9999", "jinpeng", "huatong", "HT-7781");
      await tr(dirs.telecom, "0-1999", "xinyuan", "jinpeng", "HT-7782");
      await tr(dirs.telecom, "0-499", "kameng", "xinyuan", "HT-7783");
      await tr(dirs.membership, "0-999", "kameng", "galaxy", "VIP-01");
      // Bulk orders file: one transferMany transaction for several ranges.
      const orders = join(work, "orders.csv");
      writeFileSync(
        orders,
        `batch,start,end,to,memo\n${game.batchId},100000,100999,${addr("kameng")},PO-2026-1201\n${game.batchId},101000,101999,${addr("quick")},PO-2026-1202\n`,
      );
      await keytrail(["transfer", "--file", orders], { account: P.jinpeng.i });
    },
    () => "supplier → tier 1 → tier 2 → retailers, plus a bulk orders file",
  );

  const rejected = await step(
    "a double sale is rejected on chain",
    () =>
      keytrail(["transfer", "--batch", dirs.game, "--range", "0-9", "--to", addr("quick"), "--memo", "DUP"], {
        account: P.xinyuan.i,
        expectFail: true,
        expectError: /is not held by/,
      }),
    (msg) => msg.split("\n")[0]!.slice(0, 140),
  );

  await step(
    "restricted batch refuses an unauthorised retailer",
    () =>
      keytrail(["transfer", "--batch", dirs.telecom, "--range", "500-599", "--to", addr("quick")], {
        account: P.xinyuan.i,
        expectFail: true,
        expectError: /is restricted and its supplier .* has not authorised recipient/,
      }),
    (msg) => msg.split("\n")[0]!.slice(0, 140),
  );

  await step(
    "supplier revokes a stolen range (黑卡) and redeems keys",
    async () => {
      await keytrail(["revoke", "--batch", dirs.game, "--range", "5000-5999", "--reason", "stolen"], {
        account: P.galaxy.i,
      });
      const idx = join(work, "redeemed.txt");
      writeFileSync(idx, "0-99\n200-255\n");
      await keytrail(["redeem", "--batch", dirs.game, "--indices", idx], { account: P.redeemer.i });
    },
    () => "1,000 keys frozen (stolen); 156 keys redeemed",
  );

  const soldUrl = await step(
    "the retailer records sales at checkout (POSA), each buyer gets a receipt link",
    async () => {
      const sell = (batch: string, index: number, order: string) =>
        keytrail(
          [
            "sell",
            "--batch",
            batch,
            "--index",
            String(index),
            "--order-ref",
            order,
            "--amount",
            "50",
            "--currency",
            "CNY",
            "--store",
            "Kameng Store",
            "--terminal",
            "POS-1",
          ],
          { account: P.kameng.i },
        );
      const out = await sell(dirs.game, 400, "TB-2026-000400");
      await sell(dirs.membership, 10, "TB-2026-000010");
      // A sold membership code redeems; its buyer's link says so.
      writeFileSync(join(work, "vip-sold.txt"), "10\n");
      await keytrail(["redeem", "--batch", dirs.membership, "--indices", join(work, "vip-sold.txt")], {
        account: P.galaxy.i,
      });
      const url = out.trim().split("\n").pop()!.trim();
      if (!url.includes("#")) throw new Error(`keytrail sell printed no buyer link: ${out}`);
      return url;
    },
    () => "game key 400 and membership code 10 sold by Kameng Store (receipt in each buyer's link); code 10 redeemed",
  );

  const unsoldRefused = await step(
    "a stolen, never-sold membership code is refused at redemption (sale required)",
    () => {
      writeFileSync(join(work, "vip-stolen.txt"), "700\n");
      return keytrail(["redeem", "--batch", dirs.membership, "--indices", join(work, "vip-stolen.txt")], {
        account: P.galaxy.i,
        expectFail: true,
        expectError: /has not been sold: the batch requires a sale before redemption/,
      });
    },
    (msg) => msg.split("\n")[0]!.slice(0, 140),
  );

  await step(
    "plant anomalies for the audit",
    async () => {
      // Circular flow and rapid hops: tier 1 -> tier 2 -> tier 1 -> tier 2.
      await keytrail(["transfer", "--batch", dirs.game, "--range", `${circ}-${circ + 999}`, "--to", addr("xinyuan")], {
        account: P.jinpeng.i,
      });
      await keytrail(["transfer", "--batch", dirs.game, "--range", `${circ}-${circ + 999}`, "--to", addr("jinpeng")], {
        account: P.xinyuan.i,
      });
      await keytrail(["transfer", "--batch", dirs.game, "--range", `${circ}-${circ + 999}`, "--to", addr("xinyuan")], {
        account: P.jinpeng.i,
      });
      await keytrail(["transfer", "--batch", dirs.game, "--range", `${circ}-${circ + 999}`, "--to", addr("jinpeng")], {
        account: P.xinyuan.i,
      });
      // Redemption of keys still held upstream (tier 1, not a retailer).
      const idx = join(work, "redeemed-upstream.txt");
      writeFileSync(idx, `${upstream}-${upstream + 9}\n`);
      await keytrail(["redeem", "--batch", dirs.game, "--indices", idx], { account: P.galaxy.i });
    },
    () => "circular flow, rapid hops, upstream redemption",
  );

  const db = join(work, "db");
  await step(
    "index the chain (PGlite)",
    () => keytrail(["index", "--db", db, "--json"]),
    (o) => summarise(o, ["block", "cursor", "events", "digest"]),
  );
  const exportDir = join(work, "export");
  await step("export for the portal", () =>
    keytrail(["export", exportDir, "--db", db, "--shards-from", dirs.game, dirs.telecom, dirs.membership]),
  );
  const audit = await step(
    "audit: independent replay, rules, scorecards, EPCIS",
    () =>
      keytrail([
        "audit",
        "--indexer-db",
        db,
        "--out",
        join(work, "audit"),
        "--export",
        exportDir,
        "--epcis",
        join(work, "epcis.jsonld"),
        "--period",
        "all",
        "--large-keys",
        "100000",
        "--time-zone",
        "+08:00",
        "--json",
      ]),
    (o) => summarise(o, ["events", "eventsPerSecond", "digest", "digestMatches", "findings"]),
  );

  const site = join(work, "site");
  await step("build the portal", () =>
    keytrail([
      "portal",
      "build",
      "--chain-id",
      String(deployment.chainId),
      "--rpc-url",
      rpcUrl,
      "--ledger",
      deployment.ledger,
      "--portal-base",
      portalBase,
      "--export",
      exportDir,
      "--chain-name",
      "local Hardhat node",
      "--out",
      site,
    ]),
  );

  // The links: from the supplier's urls.csv, with the retailer naming itself as the seller, and the buyer
  // link `keytrail sell` printed.
  const urlsOf = (dir: string) => readFileSync(join(dir, "urls.csv"), "utf8").split("\n");
  const gameUrls = urlsOf(dirs.game);
  const vipUrls = urlsOf(dirs.membership);
  const urlOf = (index: number, urls = gameUrls): string => {
    const row = urls[index + 1];
    if (!row) throw new Error(`urls.csv has no row for index ${index}`);
    return row.slice(row.lastIndexOf(",") + 1).trim();
  };
  const payloadOf = (index: number, urls = gameUrls) => decodePayload(parsePayloadInput(urlOf(index, urls)).payload);
  const withSeller = (index: number, seller: Address, urls = gameUrls) =>
    payloadUrl(portalBase, encodePayload({ ...payloadOf(index, urls), seller }));
  const tampered = () => {
    const p = payloadOf(320);
    const commitment = toHex(crypto.getRandomValues(new Uint8Array(32)));
    return payloadUrl(portalBase, encodePayload({ ...p, commitment, seller: addr("kameng") }));
  };
  const links = [
    {
      expect: "genuine",
      what: "genuine key, bought from the authorised retailer",
      url: withSeller(320, addr("kameng")),
    },
    { expect: "revoked", what: "stolen key (revoked range)", url: withSeller(5020, addr("kameng")) },
    { expect: "redeemed", what: "key already redeemed", url: withSeller(50, addr("kameng")) },
    { expect: "not-in-batch", what: "tampered payload (commitment changed)", url: tampered() },
    { expect: "holder-mismatch", what: "seller is not the holder", url: withSeller(330, addr("quick")) },
    { expect: "sold-to-you", what: "the buyer's own link from the recorded sale", url: soldUrl },
    {
      expect: "sold-to-another",
      what: "a copy of the same key without the buyer's receipt (a second buyer)",
      url: withSeller(400, addr("kameng")),
    },
    {
      expect: "not-yet-sold",
      what: "membership code handed over without a recorded sale",
      url: withSeller(600, addr("kameng"), vipUrls),
    },
  ] as const;

  const qrDir = join(work, "qr");
  mkdirSync(qrDir, { recursive: true });
  for (const l of links)
    await QRCode.toFile(join(qrDir, `${l.expect}.png`), l.url, { errorCorrectionLevel: "M", margin: 2, scale: 6 });

  // The order gateway: the retailer's sales and a distributor's transfers of the telecom batch (no verify
  // link above uses it) through `keytrail gateway`, on a chain mining a block every 2 s.
  const gateway = await step(
    "the order gateway: a burst of sales and transfers, one gateway killed (SIGKILL) and restarted mid-burst",
    () =>
      runGatewayOrders({
        keytrail: KEYTRAIL,
        work,
        rpcUrl,
        ledger: deployment.ledger,
        batchId: telecom.batchId,
        retailer: { account: P.kameng.i, address: addr("kameng") },
        distributor: { account: P.xinyuan.i, address: addr("xinyuan") },
        sales: 120,
        transfers: 60,
        concurrency: 16,
        blockTime: 2,
        say,
      }),
    (g) =>
      `${g.confirmed} of ${g.accepted} orders confirmed, ${g.ordersPerSecond.toFixed(1)} orders/s, ` +
      `p99 confirmation ${(g.p99ConfirmMs / 1000).toFixed(1)} s, ${g.retried} POSTs repeated`,
  );
  const gatewayProblems = [
    ...(gateway.failed ? [`${gateway.failed} accepted orders failed`] : []),
    ...(gateway.repeatSameAnswer ? [] : ["a repeated order reference did not answer the first answer"]),
    ...(gateway.check.duplicates.length
      ? [`keys recorded twice: ${gateway.check.duplicates.slice(0, 5).join(", ")}`]
      : []),
    ...(gateway.check.missing.length
      ? [`accepted keys not recorded: ${gateway.check.missing.slice(0, 5).join(", ")}`]
      : []),
    ...(gateway.check.strays.length
      ? [`keys recorded by no accepted order: ${gateway.check.strays.slice(0, 5).join(", ")}`]
      : []),
  ];

  const server = spawn(process.execPath, [KEYTRAIL, "portal", "serve", "--dir", site, "--port", String(portalPort)], {
    cwd: work,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  // The server's own messages matter only if it stops by itself (its stop message on our SIGTERM does not).
  let serverErr = "";
  server.stderr!.on("data", (b: Buffer) => (serverErr += b.toString()));
  server.once("exit", (code, signal) => {
    if (signal !== "SIGTERM" && code !== 130 && serverErr) process.stderr.write(serverErr);
  });
  await new Promise<void>((res, rej) => {
    let out = "";
    server.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes(String(portalPort))) res();
    });
    server.once("exit", (code) => rej(new Error(`portal server exited (${code}): ${out}`)));
  });

  say("\n══════════════ what happened ══════════════");
  for (const e of events) say(`${e.seconds.toFixed(1).padStart(7)} s  ${e.step}${e.detail ? `: ${e.detail}` : ""}`);
  say(
    `\nBatches: game ${game.batchId} (${game.count.toLocaleString("en-US")} keys), telecom ${telecom.batchId} (restricted), membership ${vip.batchId}`,
  );
  say(`Rejected double sale: ${rejected.split("\n")[0]}`);
  say(`Refused redemption of an unsold code: ${unsoldRefused.split("\n")[0]}`);
  say(
    `Audit report: ${join(".keytrail", "demo", "audit")}  ·  EPCIS: ${join(".keytrail", "demo", "epcis.jsonld")}  ·  ${audit.length ? "summary above" : ""}`,
  );
  say(
    `Gateway: ${gateway.accepted} orders accepted, ${gateway.confirmed} confirmed on chain in ` +
      `${gateway.check.transactions} transactions; ${gateway.ordersPerSecond.toFixed(1)} orders/s; confirmation ` +
      `p50 ${(gateway.p50ConfirmMs / 1000).toFixed(1)} s, p99 ${(gateway.p99ConfirmMs / 1000).toFixed(1)} s (2 s blocks)`,
  );
  say(`Portal: ${portalBase}/   (English: ${portalBase}/en/)`);
  say("\nVerify links (QR images in .keytrail/demo/qr/):");
  for (const l of links) say(`  ${l.expect.padEnd(16)} ${l.what}\n    ${l.url}`);

  let failed = 0;
  if (once) {
    say(`\n══════════════ checking the ${links.length} links ══════════════`);
    for (const l of links) {
      // Exit code 1 means a verdict other than genuine: the JSON is still the answer.
      const out = await keytrail(["verify", l.url, "--json"], { okCodes: [1] }).catch((e: Error) => e.message);
      let verdict = "error";
      try {
        verdict = (JSON.parse(out) as { verdict: string }).verdict;
      } catch {
        verdict = `unparsable output: ${out.slice(0, 200)}`;
      }
      const ok = verdict === l.expect;
      if (!ok) failed++;
      say(`  ${ok ? "ok  " : "FAIL"} keytrail verify  ${l.expect.padEnd(16)} got ${verdict}`);
    }
    const gatewayOk = gatewayProblems.length === 0;
    if (!gatewayOk) failed++;
    say(
      `  ${gatewayOk ? "ok  " : "FAIL"} gateway: every accepted order recorded on chain exactly once` +
        `${gatewayOk ? ` (${gateway.check.recorded} keys, ${gateway.accepted} orders)` : `: ${gatewayProblems.join("; ")}`}`,
    );
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      for (const l of links) {
        const t = Date.now();
        await page.goto("about:blank");
        await page.goto(l.url);
        const verdict = await page
          .waitForFunction(() => document.querySelector("#verdict")?.getAttribute("data-verdict") || null, null, {
            timeout: 30_000,
          })
          .then((h) => h.jsonValue() as Promise<string>)
          .catch(() => "none (timed out)");
        const ok = verdict === l.expect;
        if (!ok) failed++;
        await page.screenshot({ path: join(work, `verdict-${l.expect}.png`), fullPage: true });
        say(
          `  ${ok ? "ok  " : "FAIL"} portal (Chromium) ${l.expect.padEnd(15)} got ${verdict} in ${Date.now() - t} ms`,
        );
      }
      // The English page of the genuine verdict, for the README.
      await page.setViewportSize({ width: 900, height: 1100 });
      await page.goto("about:blank");
      await page.goto(links[0].url.replace("/v/#", "/en/v/#"));
      await page
        .waitForFunction(() => document.querySelector("#verdict")?.getAttribute("data-verdict") || null, null, {
          timeout: 30_000,
        })
        .catch(() => undefined);
      await page.screenshot({ path: join(work, "verdict-genuine-en.png"), fullPage: true });
    } finally {
      await browser.close();
    }
    server.kill("SIGTERM");
    say(
      `\nDemo finished in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${failed === 0 ? `all ${links.length} verdicts and the gateway check as expected` : `${failed} check(s) failed`}.`,
    );
    return failed === 0 ? 0 : 1;
  }

  say("\nServing. Press Ctrl-C to stop.");
  await new Promise<void>((res) => {
    process.once("SIGINT", () => res());
    process.once("SIGTERM", () => res());
  });
  server.kill("SIGTERM");
  return 0;
}

main()
  .then(async (code) => {
    await node?.stop();
    process.exit(code);
  })
  .catch(async (e: unknown) => {
    process.stderr.write(`\ndemo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    await node?.stop();
    process.exit(1);
  });
