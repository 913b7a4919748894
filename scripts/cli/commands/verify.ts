import type { Command } from "commander";
import { createPublicClient, getAddress, http, isAddress, type Address, type Hex, type PublicClient } from "viem";
import { pickLedger } from "../../../lib/config/pickLedger.js";
import { detectAgreedLedgerVersion } from "../../../lib/verify/detectAgreedLedgerVersion.js";
import { prefetchFirstProofs } from "../../../lib/proof/prefetchFirstProofs.js";
import { createRpcRequest, rememberRequests } from "../../../lib/proof/rpcRequest.js";
import { readAgreedCall, type CallTrust } from "../../../lib/verify/readAgreedCall.js";
import { readKeyStatus } from "../../../lib/verify/readKeyStatus.js";
import { readProvenStatus, TrustError, type TrustTier } from "../../../lib/verify/readProvenStatus.js";
import { readReceiptValid } from "../../../lib/verify/readReceiptValid.js";
import { readSaleLog } from "../../../lib/verify/readSaleLog.js";
import type { VerifyOptions, VerifyResult } from "../../../lib/verify/types.js";
import { verifyPayload } from "../../../lib/verify/verifyPayload.js";
import { findHint } from "../chain/findHint.js";
import { loadSegmentStarts } from "../chain/loadSegmentStarts.js";
import { openLedger, type LedgerContext } from "../chain/openLedger.js";
import { expectedChainId } from "../config/expectedChainId.js";
import { loadConfig } from "../config/loadConfig.js";
import { readDeployment } from "../config/readDeployment.js";
import { CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { parseAddress } from "../parse/parseAddress.js";
import type { GlobalOptions } from "../types.js";
import { askForSerial } from "../verify/askForSerial.js";
import { createShardSource } from "../verify/createShardSource.js";
import { pickShardBase } from "../verify/pickShardBase.js";
import { checkChainIds } from "../verify/checkChainIds.js";
import { pickRpcUrls } from "../../../lib/config/pickRpcUrls.js";
import { parsePayloadInput } from "../../../lib/payload/parsePayloadInput.js";
import { toVerifyJson } from "../verify/toVerifyJson.js";
import { describeVerifyFacts } from "../verify/describeVerifyFacts.js";

type VerifyCliOptions = {
  json?: boolean;
  batchDir?: string;
  shards?: string;
  pin?: string;
  serial?: string;
  seller?: string;
  orderRef?: string;
  offline?: boolean;
  trust?: string;
  allowLinkHost?: boolean;
};

/**
 * How the status was read: proofs at an agreed block; eth_calls that every counted RPC answered alike at an
 * agreed block (v1 ledgers); or one RPC's eth_call (and why).
 */
type TrustFact = TrustTier | CallTrust | { method: "call"; reason: string };

/** Whether an eth_getProof failure means the node does not offer the method (then eth_call is the fallback). */
const lacksGetProof = (e: unknown) =>
  e instanceof Error &&
  /eth_getProof/.test(e.message) &&
  /not (found|supported|available|implemented)|unsupported|does not exist|-32601|HTTP 40[05]/i.test(e.message);

function describeTrust(t: TrustFact): string {
  const tierOf = (x: { agreeing: string[]; asked: number }) =>
    x.agreeing.length === 1 ? `one RPC (1 of ${x.asked})` : `${x.agreeing.length} of ${x.asked} RPCs agree`;
  const notCounted = (x: { failures: { reason: string }[] }) =>
    x.failures.length ? `; not counted: ${x.failures.map((f) => f.reason).join("; ")}` : "";
  if (t.method === "call" && "block" in t)
    return `status read by eth_call at block ${t.block}, not proven (${tierOf(t)} on the block and the answer; an eth_call, not a storage proof): ${t.reason}${notCounted(t)}`;
  if (t.method === "call") return `status read with one RPC's eth_call, not proven: ${t.reason}`;
  return `status proven with storage proofs at block ${t.block} (${tierOf(t)} on its hash)${notCounted(t)}`;
}

/** Verdicts that exit 0: the key may be accepted. */
const ACCEPTED = new Set<VerifyResult["verdict"]>(["genuine", "sold-to-you"]);

/**
 * `keytrail verify <url|payload>`: the portal's verification (lib/verify/verifyPayload) from the
 * command line: Merkle proof offline, root and key status from the chain, and on a v2 ledger the
 * link's receipt against the key's sale. Exit 0 for genuine and sold-to-you, 1 for any other verdict
 * (the verdict is printed either way). The link's receipt secret and a typed order reference are
 * never printed.
 *
 * @param program - the root command.
 * @example
 * registerVerifyCommand(program);
 */
export function registerVerifyCommand(program: Command): void {
  const cmd = program
    .command("verify <input>")
    .description(
      "verify a key's QR link or payload: genuine, sold to you, sold to another, not yet sold, not in batch, revoked, redeemed …",
    )
    .option("--json", 'print { "verdict": …, facts, checks } as JSON')
    .option("--batch-dir <dir>", "sealed batch folder: proof shards for short-form codes")
    .option(
      "--shards <base>",
      "folder or URL holding <s>.bin proof shards ({batchId} is replaced); default: the configured portal's export, <portalBase>/export/proofs/{batchId}",
    )
    .option(
      "--allow-link-host",
      "fetch proof shards from the link's own portal (<link portal>/export/proofs/{batchId}) when it is not the configured portalBase",
    )
    .option("--pin <pin>", "also check that this key (卡密) is the one the code was issued for (hashed locally)")
    .option(
      "--serial <serial>",
      "the card number (卡号) that goes with --pin (needed when the key was sealed with one)",
    )
    .option("--seller <address>", "check that this seller holds the key")
    .option(
      "--order-ref <text>",
      "the order number (订单号) of your purchase: checked against the key's recorded sale with the link's receipt (hashed locally)",
    )
    .option("--offline", "do not contact the chain (format and proof only; the verdict says what could not be checked)")
    .option(
      "--trust <how>",
      "how a key's status is read: proof (v2: storage proofs at a block the configured RPCs agree on; v1: keyStatus by eth_call on every configured RPC at that block, believed only when they agree) or call (one RPC's eth_call)",
      "proof",
    )
    .action(async (input: string, o: VerifyCliOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const out = createOutput(g);
      if (o.serial && !o.pin) throw new CliUsageError("--serial needs --pin.");
      if (o.trust !== "proof" && o.trust !== "call")
        throw new CliUsageError(
          `--trust ${JSON.stringify(o.trust)} is not a way to read status: expected proof or call.`,
        );
      let trust: TrustFact | undefined;
      const options: VerifyOptions = {};
      // Proof shards come from the sources chosen here (flags, config), never blindly from the link's host.
      const shards = o.batchDir
        ? createShardSource({ batchDir: o.batchDir })
        : pickShardBase({
            shards: o.shards,
            linkPortal: safePortalBase(input),
            configPortal: loadConfig(g.config).config.portalBase,
            allowLinkHost: o.allowLinkHost === true,
          });
      if (shards) {
        options.fetchShard = shards.fetchShard;
        options.describeShard = shards.describeShard;
      }
      if (o.pin) options.key = o.serial ? { serial: o.serial, pin: o.pin } : { pin: o.pin };
      if (o.seller) options.seller = parseAddress(o.seller, "--seller");
      if (o.orderRef !== undefined) {
        const ref = o.orderRef.normalize("NFC").trim();
        if (ref.length === 0 || [...ref].length > 128)
          throw new CliUsageError(
            `--order-ref (${[...ref].length} characters after trimming) is not an order reference: expected 1-128 characters.`,
          );
        options.orderReference = o.orderRef;
      }

      let ctx: LedgerContext | undefined;
      let connectError: unknown;
      // Every configured RPC is asked for its chain id: one that names another chain makes the chain unconfirmable.
      const { urls: configured, chainId: configuredId } = configuredChain(g);
      // With a chain id configured, the ledger's reads go out in the same round as the chain ids (one
      // round fewer); they are kept only when the first RPC answers that chain id, so the ledger (which
      // the deployment file may name by chain id) and every error stay those of the sequential path.
      const guessedChainId = o.offline ? undefined : configuredId;
      const early =
        guessedChainId === undefined
          ? undefined
          : openLedger(g, { signer: false, knownChainId: guessedChainId }).then(
              (opened) => ({ opened }),
              (error: unknown) => ({ error }),
            );
      const chainIds = o.offline ? undefined : await checkChainIds(configured).catch(() => undefined);
      if (chainIds?.disagree) connectError = chainIds.disagree;
      else if (!o.offline) {
        // the first RPC's chain id was just asked with the others: not asked again
        const knownChainId = chainIds?.answers.find((a) => a.url === configured[0])?.chainId;
        const guessed = early && knownChainId === guessedChainId ? await early : undefined;
        if (guessed && "opened" in guessed) ctx = guessed.opened;
        else if (guessed) connectError = guessed.error;
        else {
          try {
            ctx = await openLedger(g, { signer: false, knownChainId });
          } catch (e) {
            connectError = e;
          }
        }
      }
      if (ctx) {
        const c = ctx;
        options.expectedChainId = c.chainId;
        options.expectedLedger = c.ledger;
        const client = c.publicClient as never;
        const urls = c.rpcUrl.split(", ");
        const request = createRpcRequest({ timeoutMs: 10_000 });
        const clients = new Map<string, PublicClient>();
        const clientOf = (url: string): PublicClient => {
          let one = clients.get(url);
          if (!one)
            clients.set(url, (one = createPublicClient({ transport: http(url, { timeout: 10_000, retryCount: 0 }) })));
          return one;
        };
        type Read = { value: Awaited<ReturnType<typeof readKeyStatus>>; trust: TrustFact };
        const readWith = async (
          q: Parameters<NonNullable<VerifyOptions["fetchStatus"]>>[0],
          ledgerVersion: 1 | 2,
        ): Promise<Read> => {
          if (ledgerVersion === 1 && o.trust === "proof") {
            // No proofs for a v1 layout: keyStatus on every RPC at a block they agree on; no single RPC decides.
            const hint = findHint(await loadSegmentStarts(c, q.batchId as Hex), BigInt(q.index));
            const r = await readAgreedCall({
              urls,
              chainId: c.chainId,
              request,
              what: "keyStatus",
              reason: "a v1 ledger (its layout is not proven)",
              read: (url, blockNumber) =>
                readKeyStatus(clientOf(url), {
                  ledger: q.ledger,
                  batchId: q.batchId,
                  index: q.index,
                  hint,
                  ledgerVersion: 1,
                  blockNumber,
                }),
            });
            return { value: r.value, trust: r.trust };
          }
          let why: TrustFact | undefined;
          if (ledgerVersion === 2 && o.trust === "proof") {
            try {
              // The first proof round goes out with the headers, once the heads are known (one round fewer).
              const remembered = rememberRequests(request);
              void prefetchFirstProofs({ ...q, request: remembered, urls }).catch(() => undefined);
              const r = await readProvenStatus({ ...q, urls, chainId: c.chainId, request: remembered });
              return { value: r.status, trust: r.trust };
            } catch (e) {
              if (e instanceof TrustError || !lacksGetProof(e)) throw e;
              why = { method: "call", reason: "the RPC does not answer eth_getProof" };
            }
          }
          // v2 reads keyStatus without a hint; v1 takes the segment hint from the transfer logs.
          const hint =
            ledgerVersion === 1 ? findHint(await loadSegmentStarts(c, q.batchId as Hex), BigInt(q.index)) : undefined;
          return {
            value: await readKeyStatus(client, {
              ledger: q.ledger,
              batchId: q.batchId,
              index: q.index,
              hint,
              ledgerVersion,
            }),
            trust: why ?? {
              method: "call",
              reason: ledgerVersion === 1 ? "a v1 ledger (its layout is not proven)" : "--trust call",
            },
          };
        };
        options.fetchStatus = async (q) => {
          // Every configured RPC names the version (its layout decides what is read and proven). The reads
          // for the version the first RPC gave when the ledger was opened go out in the same round; they
          // are used only when every RPC agrees on that version, and read again with the agreed one if not.
          const guess = readWith(q, c.version).then(
            (read) => ({ read }),
            (error: unknown) => ({ error }),
          );
          const ledgerVersion = await detectAgreedLedgerVersion(
            urls.map((url) => ({ url, client: clientOf(url) })),
            { ledger: q.ledger },
          );
          const chosen = ledgerVersion === c.version ? await guess : { read: await readWith(q, ledgerVersion) };
          if ("error" in chosen) throw chosen.error;
          trust = chosen.read.trust;
          return chosen.read.value;
        };
        options.fetchSale = (q) =>
          readSaleLog(client, { ledger: q.ledger, batchId: q.batchId, saleNo: q.saleNo, fromBlock: c.deployBlock });
        options.confirmReceipt = (q) => readReceiptValid(client, q);
      } else {
        // Offline or unreachable: still refuse codes for another chain/ledger than the configured one.
        const loaded = loadConfig(g.config);
        const chainId = expectedChainId(g, loaded.config);
        if (chainId !== undefined) options.expectedChainId = chainId;
        const ledger = pickLedger({
          flag: g.ledger,
          environment: process.env.KEYTRAIL_LEDGER,
          config: loaded.config,
          chainId,
          deployment: () => (chainId !== undefined ? readDeployment(loaded.dir, chainId)?.ledger : undefined),
        })?.ledger;
        if (ledger && isAddress(ledger, { strict: false })) options.expectedLedger = getAddress(ledger) as Address;
        const reason = connectError
          ? ((connectError as { shortMessage?: string }).shortMessage ?? String(connectError))
          : "--offline";
        const disagree = chainIds?.disagree;
        options.fetchStatus = async () => {
          throw disagree ?? new Error(`chain not consulted: ${reason}`);
        };
      }
      const result: VerifyResult = await verifyPayload(input, options);
      if (o.pin && !o.serial) {
        const ask = await askForSerial(result, o.batchDir);
        if (ask) throw ask;
      }
      if (o.json) out.json(trust ? { ...toVerifyJson(result), trust: jsonTrust(trust) } : toVerifyJson(result));
      else {
        out.result(`${result.verdict.toUpperCase()}: ${result.message}`);
        if (trust) out.info(`  ${describeTrust(trust)}`);
        for (const line of describeVerifyFacts(result)) out.info(`  ${line}`);
        for (const c of result.checks)
          out.info(
            `  ${c.ok === true ? "✓" : c.ok === false ? "✗" : "·"} ${c.label}${c.online ? " (online)" : ""}${c.detail ? `: ${c.detail}` : ""}`,
          );
      }
      if (!ACCEPTED.has(result.verdict)) process.exitCode = 1;
    });
  addExamples(
    cmd,
    "keytrail verify 'https://verify.example.com/v/#AQDp9AFf…' --batch-dir out/2026-11-A --json",
    "keytrail verify 'https://verify.example.com/01/06901234567892/21/4dab528a.7#AQjp9AFf…'",
    "keytrail verify 'https://verify.example.com/v/#AQDp…' --shards https://verify.example.com/export/proofs/{batchId} --pin ABCD-EFGH-JKLM-NPQR",
  );
}

function jsonTrust(t: TrustFact) {
  return "block" in t ? { ...t, block: Number(t.block) } : t;
}

/**
 * The configured RPC URLs and the chain id the command expects (`--chain-id`, else the config's
 * `chainId`; undefined when unset or not a positive integer), from one read of the config. Both are
 * empty when the config cannot be read: openLedger reports a bad config or URL itself.
 */
function configuredChain(g: GlobalOptions): { urls: string[]; chainId: number | undefined } {
  try {
    const config = loadConfig(g.config).config;
    const urls = pickRpcUrls({
      flag: g.rpcUrl,
      environment: process.env.KEYTRAIL_RPC_URL,
      config: config.rpcUrls,
    }).urls;
    const id = expectedChainId(g, config);
    return { urls, chainId: id !== undefined && Number.isSafeInteger(id) && id > 0 ? id : undefined };
  } catch {
    return { urls: [], chainId: undefined };
  }
}

function safePortalBase(input: string): string | undefined {
  try {
    const base = parsePayloadInput(input).portalBase;
    return base && /^https?:\/\//.test(base) ? base.replace(/\/+$/, "") : undefined;
  } catch {
    return undefined;
  }
}
