import type { Command } from "commander";
import type { PublicClient } from "viem";
import { CliUsageError } from "../errors.js";
import { openLedger } from "../chain/openLedger.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import type { GlobalOptions } from "../types.js";

/** Options of `keytrail gateway`. */
type GatewayCliOptions = {
  rpc?: string;
  port: string;
  host: string;
  data: string;
  fromBlock?: string;
  windowMs: string;
  groupMs: string;
  maxOrdersPerTx: string;
  maxQuantity: string;
  maxKeysPerTx: string;
  rateLimit: string;
  stuckBlocks: string;
  pollMs: string;
  maxBodyBytes: string;
  leaseMs: string;
  replicaId?: string;
  reorgBlocks: string;
  addClient?: string;
  scopes: string;
  webhookUrl?: string;
  importStock?: string;
  keys?: string;
  firstIndex?: string;
};

const SCOPES = new Set(["orders:write", "orders:read", "keys:deliver"]);

function count(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new CliUsageError(`${flag} ${JSON.stringify(text)} is not a whole number from ${min} to ${max}.`);
  return n;
}

/**
 * `keytrail gateway`: the order API a platform calls (docs/GATEWAY.md). Accepts orders over HTTP,
 * allocates keys from the signing account's holdings, records them on KeyLedger v2 (one `sell` or
 * `transferMany` per window) and answers at once; `--add-client ID` creates an API key instead.
 *
 * @param program - the root command.
 * @example
 * registerGatewayCommand(program);
 */
export function registerGatewayCommand(program: Command): void {
  const cmd = program
    .command("gateway")
    .description("serve the order API: sales and transfers recorded on the v2 ledger, exactly once")
    .option("--rpc <url>", "JSON-RPC URL (default: --rpc-url, KEYTRAIL_RPC_URL, the config)")
    .option("--port <n>", "port", "8788")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--data <dir>", "PGlite folder of the outbox; DATABASE_URL selects PostgreSQL", ".keytrail/gateway")
    .option("--from-block <n>", "the ledger's deployment block (default: from the deployment record, else 0)")
    .option("--window-ms <n>", "how long orders gather before one transaction", "200")
    .option("--group-ms <n>", "how long accepted orders gather before one store write (group commit)", "2")
    .option("--max-orders-per-tx <n>", "most orders in one transaction", "100")
    .option("--max-quantity <n>", "most keys per order", "100")
    .option("--max-keys-per-tx <n>", "most keys in one transaction", "2000")
    .option("--rate-limit <n>", "requests per second per API client (0 = no limit)", "1000")
    .option("--stuck-blocks <n>", "blocks before an unmined transaction is replaced with a higher fee", "3")
    .option("--poll-ms <n>", "how often receipts and the nonce are read", "500")
    .option("--max-body-bytes <n>", "largest request body", "16384")
    .option("--lease-ms <n>", "PostgreSQL replicas: signing lease; a standby takes over after it runs out", "5000")
    .option("--replica-id <name>", "PostgreSQL replicas: this replica's name in the lease and the logs")
    .option("--reorg-blocks <n>", "blocks a mined transaction is watched for a reorg", "12")
    .option("--add-client <id>", "create (or replace) an API client, print its key once, and exit")
    .option("--scopes <list>", "scopes of --add-client", "orders:write,orders:read")
    .option("--webhook-url <url>", "with --add-client: POST the client's confirmed/failed orders there, signed")
    .option(
      "--import-stock <batchDir>",
      "import the card secrets of a sealed batch (with --keys) into the stock, checked against the chain, and exit",
    )
    .option("--keys <file>", "with --import-stock: the key file the batch was sealed from")
    .option("--first-index <n>", "with --import-stock: index of the key file's first key", "0")
    .action(async (o: GatewayCliOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const out = createOutput({ quiet: g.quiet });
      const { openGatewayStore } = await import("../../../gateway/store/openGatewayStore.js");
      const databaseUrl = process.env.DATABASE_URL || undefined;
      if (o.addClient !== undefined) {
        const scopes = o.scopes.split(",").map((s) => s.trim());
        const bad = scopes.filter((s) => !SCOPES.has(s));
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(o.addClient))
          throw new CliUsageError(
            `--add-client ${JSON.stringify(o.addClient)}: expected 1-64 letters, digits, '.', '_' or '-'.`,
          );
        if (bad.length)
          throw new CliUsageError(`--scopes: unknown scope(s) ${bad.join(", ")}; known: ${[...SCOPES].join(", ")}.`);
        const { createApiKey, hashApiKey } = await import("../../../gateway/hashApiKey.js");
        let webhook: { url: string; secret: string; sealed: string } | null = null;
        if (o.webhookUrl !== undefined) {
          const [{ checkWebhookUrl }, { createWebhookSecret }, { createSecretBox }] = await Promise.all([
            import("../../../gateway/checkWebhookUrl.js"),
            import("../../../gateway/signWebhook.js"),
            import("../../../gateway/createSecretBox.js"),
          ]);
          let url: string;
          try {
            url = checkWebhookUrl(o.webhookUrl);
          } catch (e) {
            throw new CliUsageError(`--webhook-url: ${e instanceof Error ? e.message : String(e)}`);
          }
          const secret = createWebhookSecret();
          const box = createSecretBox(process.env.KEYTRAIL_GATEWAY_SECRETS_KEY || undefined);
          webhook = { url, secret, sealed: box.seal(`0x${secret.slice(6)}`, `webhook:${o.addClient}`) };
        }
        const store = await openGatewayStore({ databaseUrl, dataDir: o.data, log: out.info });
        const apiKey = createApiKey();
        await store.query(
          `INSERT INTO gw_clients (id, key_hash, scopes, webhook_url, webhook_secret) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO UPDATE SET key_hash = $2, scopes = $3, webhook_url = $4, webhook_secret = $5`,
          [o.addClient, hashApiKey(apiKey), scopes.join(","), webhook?.url ?? null, webhook?.sealed ?? null],
        );
        await store.close();
        out.info(
          `client ${o.addClient} (${scopes.join(", ")}): the key below is shown once; only its sha256 is stored`,
        );
        out.result(apiKey);
        if (webhook) {
          out.info(`webhook ${webhook.url}: the signing secret below is shown once (docs/GATEWAY.md, "Webhooks")`);
          out.result(webhook.secret);
        }
        return;
      }
      if (o.importStock !== undefined) {
        if (o.keys === undefined)
          throw new CliUsageError("--import-stock needs --keys <file>, the key file the batch was sealed from.");
        const ctx = await openLedger(
          { ...g, rpcUrl: o.rpc ?? g.rpcUrl },
          { signer: true, rpcFlag: o.rpc ? "--rpc" : undefined },
        );
        const { importStock } = await import("../../../gateway/stock/importStock.js");
        const store = await openGatewayStore({ databaseUrl, dataDir: o.data, log: out.info });
        try {
          const r = await importStock({
            store,
            publicClient: ctx.publicClient as PublicClient,
            ledger: ctx.ledger,
            account: ctx.account!.address,
            batchDir: o.importStock,
            keyFile: o.keys,
            firstIndex: count("--first-index", o.firstIndex ?? "0", 0, Number.MAX_SAFE_INTEGER),
            secretsKey: process.env.KEYTRAIL_GATEWAY_SECRETS_KEY || undefined,
          });
          out.result(
            `stock of ${ctx.account!.address}: batch ${r.batchId}, ${r.rows} row(s) (indices ${r.first} to ${r.last}) ` +
              `checked against the chain; ${r.stored} stored encrypted, ${r.already} already in stock, ` +
              `${r.allocated} not stocked (already allocated to orders). Restart the gateway to deliver them.`,
          );
        } finally {
          await store.close();
        }
        return;
      }
      const port = count("--port", o.port, 0, 65535);
      if (o.replicaId !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(o.replicaId))
        throw new CliUsageError(
          `--replica-id ${JSON.stringify(o.replicaId)}: expected 1-64 letters, digits, '.', '_' or '-'.`,
        );
      const ctx = await openLedger(
        { ...g, rpcUrl: o.rpc ?? g.rpcUrl },
        { signer: true, rpcFlag: o.rpc ? "--rpc" : undefined },
      );
      const [{ createGateway }, { createGatewayApp }, { serve }, { openStock }] = await Promise.all([
        import("../../../gateway/createGateway.js"),
        import("../../../gateway/api/createGatewayApp.js"),
        import("@hono/node-server"),
        import("../../../gateway/stock/openStock.js"),
      ]);
      // PGlite on its own thread: the outbox's statements never hold up the order answers
      const store = await openGatewayStore({ databaseUrl, dataDir: o.data, log: out.info, worker: true });
      const stock = await openStock({
        store,
        account: ctx.account!.address,
        secretsKey: process.env.KEYTRAIL_GATEWAY_SECRETS_KEY || undefined,
      });
      if (stock.stocked.size > 0) {
        let keys = 0;
        for (const s of stock.stocked.values()) keys += s.size;
        out.info(`stock: ${keys} card secret(s) in ${stock.stocked.size} batch(es), encrypted at rest`);
      }
      const gateway = await createGateway({
        store,
        publicClient: ctx.publicClient as PublicClient,
        account: ctx.account!,
        ledger: ctx.ledger,
        fromBlock:
          o.fromBlock !== undefined
            ? BigInt(count("--from-block", o.fromBlock, 0, Number.MAX_SAFE_INTEGER))
            : ctx.deployBlock,
        windowMs: count("--window-ms", o.windowMs, 1, 60_000),
        groupMs: count("--group-ms", o.groupMs, 0, 1_000),
        maxOrdersPerTx: count("--max-orders-per-tx", o.maxOrdersPerTx, 1, 10_000),
        maxQuantity: count("--max-quantity", o.maxQuantity, 1, 100_000),
        maxKeysPerTx: count("--max-keys-per-tx", o.maxKeysPerTx, 1, 1_000_000),
        stuckBlocks: count("--stuck-blocks", o.stuckBlocks, 1, 1_000),
        pollMs: count("--poll-ms", o.pollMs, 10, 60_000),
        secretsKey: process.env.KEYTRAIL_GATEWAY_SECRETS_KEY || undefined,
        leaseMs: count("--lease-ms", o.leaseMs, 100, 3_600_000),
        replicaId: o.replicaId,
        reorgBlocks: count("--reorg-blocks", o.reorgBlocks, 0, 100_000),
        log: out.info,
        stock,
      });
      const app = createGatewayApp(gateway, {
        maxBodyBytes: count("--max-body-bytes", o.maxBodyBytes, 256, 1 << 24),
        rateLimitPerSecond: count("--rate-limit", o.rateLimit, 0, 1_000_000),
        log: out.info,
        stock,
      });
      const server = serve({ fetch: app.fetch, port, hostname: o.host });
      if ("keepAliveTimeout" in server) server.keepAliveTimeout = 65_000; // longer than clients' idle keep-alive: no reset on a reused connection
      await new Promise<void>((resolve, reject) => {
        server.once("listening", resolve);
        server.once("error", reject);
      });
      const addr = server.address();
      const bound = typeof addr === "object" && addr ? addr.port : port;
      out.result(`gateway listening on http://${o.host}:${bound}/ (routes: /v1/openapi.json)`);
      await new Promise<void>(() => undefined); // until the process is stopped; the outbox survives any stop
    });
  addExamples(
    cmd,
    "keytrail gateway --add-client shop-1",
    "keytrail gateway --add-client shop-2 --webhook-url https://shop.example/hooks/keytrail",
    "KEYTRAIL_PRIVATE_KEY=0x… keytrail gateway --rpc http://127.0.0.1:8545 --ledger 0x… --port 8788",
    "keytrail gateway --keystore signer.json --data /var/lib/keytrail/gateway",
    "KEYTRAIL_GATEWAY_SECRETS_KEY=… keytrail gateway --account 1 --import-stock batches/b1 --keys keys.csv",
    "keytrail gateway --add-client shop-3 --scopes orders:write,orders:read,keys:deliver",
  );
}
