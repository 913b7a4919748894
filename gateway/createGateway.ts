import { createHash, randomUUID } from "node:crypto";
import {
  RawContractError,
  decodeErrorResult,
  toHex,
  encodeFunctionData,
  parseTransaction,
  getAddress,
  keccak256,
  TransactionReceiptNotFoundError,
  type Address,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import { keyLedgerV2Abi } from "../lib/abi/keyLedgerV2Abi.js";
import { computeOrderRefHash } from "../lib/sale/computeOrderRefHash.js";
import { computeReceiptCommitment } from "../lib/sale/computeReceiptCommitment.js";
import { createReceiptSecret } from "../lib/sale/createReceiptSecret.js";
import type { Sql, Store } from "../indexer/store/types.js";
import { createSecretBox } from "./createSecretBox.js";
import { decodeRevert } from "./decodeRevert.js";
import { GatewayConfigError, GatewayError } from "./errors.js";
import { hashApiKey } from "./hashApiKey.js";
import { checkWebhookUrl } from "./checkWebhookUrl.js";
import { signWebhook } from "./signWebhook.js";
import { IntervalSet, toRanges } from "./holdings/IntervalSet.js";
import { loadHoldings } from "./holdings/loadHoldings.js";
import type { Stock } from "./stock/openStock.js";
import type { GatewayScope, OrderAnswer, OrderRequest, OrderStatus } from "./types.js";

/** Parameters of {@link createGateway}. */
export type CreateGatewayParameters = {
  /** The gateway's store (see openGatewayStore). */
  store: Store;
  publicClient: PublicClient;
  /** The signing account: it holds the keys it sells and transfers. */
  account: LocalAccount;
  /** The KeyLedger v2 address. */
  ledger: Address;
  /** First block of the ledger's logs (its deployment block; default 0). */
  fromBlock?: bigint | undefined;
  /** How long orders gather before they go out in one transaction (default 200 ms). */
  windowMs?: number | undefined;
  /**
   * Send a partly filled window right after a new head, so that it is in the pool for the next block
   * (default true: order latency). The CLI's bulk files pass false: a partly filled window waits until
   * no order has joined the queue for `windowMs` (full windows, fewer transactions).
   */
  sendOnHead?: boolean | undefined;
  /** Most orders in one transaction (default 100). */
  maxOrdersPerTx?: number | undefined;
  /** Most keys in one transaction (default 2,000: far below a 30M block gas limit). */
  maxKeysPerTx?: number | undefined;
  /** Most keys per order (default 100). */
  maxQuantity?: number | undefined;
  /** Blocks a transaction may wait unmined before it is replaced with a higher fee (default 3). */
  stuckBlocks?: number | undefined;
  /** How often the chain head and the signer's nonce are read (default 500 ms). */
  pollMs?: number | undefined;
  /**
   * 32-byte key (64 hex digits) encrypting the stored receipt secrets (AES-256-GCM); without it they
   * are stored in clear. The CLI reads it from KEYTRAIL_GATEWAY_SECRETS_KEY.
   */
  secretsKey?: string | undefined;
  /** Progress lines (never secrets). */
  log?: ((line: string) => void) | undefined;
  /**
   * Card secrets the gateway delivers (openStock): orders on a batch in stock take stocked keys only,
   * and a failed order's delivered keys are quarantined instead of going back to the pool.
   */
  stock?: Stock | undefined;
  /**
   * PostgreSQL with several replicas: how long the signing lease of the account lasts without
   * renewal (default 5,000 ms). One replica signs; the others accept orders and take over when the
   * lease runs out. Unused on PGlite (one process per folder).
   */
  leaseMs?: number | undefined;
  /** Name of this replica in the lease and the logs (default: a random id). */
  replicaId?: string | undefined;
  /**
   * Blocks a mined transaction is watched for a reorg (default 12): a transaction a reorg drops is
   * sent again (same nonce, same orders) and its orders read `pending` until it is mined again.
   */
  reorgBlocks?: number | undefined;
  /** Signed webhooks: delay before the first retry of a failed delivery, doubled at each (default 1,000 ms, at most 1 h). */
  webhookRetryMs?: number | undefined;
  /** Signed webhooks: deliveries tried before the event is given up (`dead`; default 15). */
  webhookMaxAttempts?: number | undefined;
  /** Signed webhooks: how long a receiver may take to answer (default 5,000 ms). */
  webhookTimeoutMs?: number | undefined;
  /**
   * Group commit: how long accepted orders gather before they are written in one store statement
   * (default 2 ms). Each order is answered after that statement commits, so an answered order is in
   * the store; a longer gather means fewer, larger statements under load and a longer answer.
   */
  groupMs?: number | undefined;
  /** Group commit: most orders written in one statement (default 1,000). */
  maxGroupOrders?: number | undefined;
};

/** One order waiting for (or inside) a transaction. */
type Pending = {
  client: string;
  ref: string;
  kind: "sale" | "transfer";
  batchId: Hex;
  indices: number[];
  to: Address | null;
  /** Transfers placed with a memo text (the CLI's orders files); null from the HTTP API. */
  memo: string | null;
  /** Sales placed with their own order reference and context (the CLI): a {@link SaleTerms} JSON, else null. */
  sale: string | null;
  /** Sales: commitment and order-reference hash per key, in index order. */
  commitments: Hex[];
  orderRefs: Hex[];
  attempts: number;
};

/** An accepted order on its way into the store. */
type NewOrder = {
  client: string;
  ref: string;
  bodyHash: string;
  kind: "sale" | "transfer";
  batchId: Hex;
  quantity: number;
  to: Address | null;
  buyer: string | null;
  indices: number[];
  secrets: Hex[];
  memo: string | null;
  sale: string | null;
  createdMs: number;
};

/**
 * Inserts a group of orders with their allocations and receipt secrets in one statement (so one
 * commit): a reference already taken is skipped (ON CONFLICT) with its allocations and secrets; the
 * statement returns the orders it inserted.
 */
const INSERT_ORDERS = `
WITH o AS (
  INSERT INTO gw_orders (client, ref, body_hash, signer, kind, batch_id, quantity, recipient, buyer, status, indices, created_ms, memo, sale)
  SELECT c, r, h, $1, k, b, q, t, y, 'pending', i, m, n, z
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[], $10::text[],
              $11::bigint[], $16::text[], $17::text[]) AS x(c, r, h, k, b, q, t, y, i, m, n, z)
  ON CONFLICT (client, ref) DO NOTHING
  RETURNING client, ref, batch_id, indices
), a AS (
  INSERT INTO gw_allocations (signer, batch_id, idx, client, ref)
  SELECT $1, o.batch_id, j::bigint, o.client, o.ref FROM o, LATERAL jsonb_array_elements_text(o.indices::jsonb) AS j
), s AS (
  INSERT INTO gw_secrets (client, ref, idx, secret)
  SELECT x.c, x.r, x.i, x.s FROM unnest($12::text[], $13::text[], $14::bigint[], $15::text[]) AS x(c, r, i, s)
  JOIN o ON o.client = x.c AND o.ref = x.r
)
SELECT client, ref FROM o`;

/**
 * Settles mined windows in one statement: each nonce's row becomes `mined` (its other versions
 * `replaced`), its pending orders `confirmed` with their transaction and block, and a `confirmed`
 * webhook event is written for each such order whose client has a webhook.
 */
const SETTLE_MINED = `
WITH txs AS (
  UPDATE gw_txs t SET status = CASE WHEN t.hash = x.h THEN 'mined' ELSE 'replaced' END
  FROM unnest($2::bigint[], $3::text[]) AS x(n, h) WHERE t.signer = $1 AND t.nonce = x.n
), o AS (
  UPDATE gw_orders o SET status = 'confirmed', tx_hash = x.h, block = x.b, done_ms = $4
  FROM unnest($5::text[], $6::text[], $7::text[], $8::bigint[]) AS x(c, r, h, b)
  WHERE o.client = x.c AND o.ref = x.r AND o.status = 'pending'
  RETURNING o.client, o.ref
)
INSERT INTO gw_webhooks (client, ref, event, next_ms, created_ms)
SELECT o.client, o.ref, 'confirmed', $4, $4 FROM o JOIN gw_clients k ON k.id = o.client
WHERE k.webhook_url IS NOT NULL`;

/** A signed transaction not yet seen mined. */
type InFlight = {
  nonce: number;
  hashes: Hex[];
  orders: Pending[];
  data: Hex;
  gas: bigint;
  maxFee: bigint;
  tip: bigint;
  sentBlock: number;
  missing: number;
  /** Raw signed transactions (each version), to send again after a reorg. */
  raws: Hex[];
};

/** A mined transaction watched for a reorg until it is `reorgBlocks` deep. */
type Mined = { flight: InFlight; hash: Hex; block: number; blockHash: Hex; ok: boolean };

/** Thrown inside a signing transaction when this replica no longer holds the account's lease. */
class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

/**
 * How long the signer reuses the fees it read (ms). A base fee that rises meanwhile is covered by the
 * estimate's headroom (twice the base fee), and a transaction left unmined is replaced with higher fees.
 */
const FEES_MAX_AGE_MS = 1_000;

/** Fewest keys of a simulated sale whose gas per key feeds the hot path's gas model (fixed costs amortised). */
const GAS_MODEL_MIN_KEYS = 32;

/** Largest modelled gas limit sent without a simulation (half a 30M block). */
const MODEL_GAS_CAP = 15_000_000n;

/** Why an order failed for reasons tied to its keys (they are not given back to the pool). */
const KEY_ERRORS = ["KeyLedgerRangeNotHeld", "KeyLedgerRangeFrozen", "KeyLedgerAlreadySold", "KeyLedgerKeyRedeemed"];

/** The running gateway engine (the HTTP layer is createGatewayApp). */
export type Gateway = {
  readonly account: Address;
  readonly ledger: Address;
  readonly chainId: number;
  /** The client and scopes of an API key, or null. */
  authenticate(apiKey: string): { client: string; scopes: ReadonlySet<GatewayScope> } | null;
  /**
   * Adds or replaces a client (its key is stored as a sha256). With `webhook`, the gateway POSTs each
   * of its orders' confirmation or failure to `webhook.url`, signed with `webhook.secret` (signWebhook).
   */
  addClient(
    client: string,
    apiKey: string,
    scopes: readonly GatewayScope[],
    webhook?: { url: string; secret: string },
  ): Promise<void>;
  /**
   * Accepts an order (or answers a repeated reference with the first answer). `options` is for
   * callers inside the project (the CLI's orders files), not the HTTP API: see {@link PlaceOrderOptions}.
   */
  placeOrder(
    client: string,
    request: OrderRequest,
    options?: PlaceOrderOptions,
  ): Promise<{ created: boolean; answer: OrderAnswer }>;
  /**
   * The keys of `[start, end)` of a batch that are not free for this account (not held, frozen,
   * sold, redeemed, or allocated to another order), as half-open ranges; empty when all are free.
   */
  notFree(batchId: Hex, start: number, end: number): [number, number][];
  /** The current answer about one of the client's orders. */
  getOrder(client: string, orderReference: string): Promise<OrderAnswer>;
  /** Orders queued, transactions in flight, next nonce, whether this replica signs. */
  stats(): { queued: number; inFlight: number; nextNonce: number; signing: boolean };
  /** Stops the loops (in-flight transactions stay in the outbox for the next start). */
  stop(): Promise<void>;
};

/**
 * Orders of named keys (the CLI's `transfer --file`): `indices` are the exact keys to move instead of
 * the FIFO allocation (quantity must equal their count); `memo` is the order's memo text, whose
 * keccak256 goes on chain (a transaction of orders with different memos carries keccak256 of their
 * texts joined by a line break, in queue order).
 */
export type PlaceOrderOptions = {
  indices?: readonly number[] | undefined;
  memo?: string | undefined;
  /**
   * A sale's own order reference (hashed per key with its receipt secret instead of the gateway's
   * reference) and its sale context; sales with different contexts never share a `sell` call.
   */
  sale?: SaleTerms | undefined;
};

/** The order reference and context a sale is recorded with (the CLI's `sell`). */
export type SaleTerms = { orderReference: string; store: Hex; terminal: Hex; amount: bigint; currency: Hex };

const saleJson = (t: SaleTerms | undefined): string | null =>
  t
    ? JSON.stringify({
        orderReference: t.orderReference,
        store: t.store.toLowerCase(),
        terminal: t.terminal.toLowerCase(),
        amount: t.amount.toString(),
        currency: t.currency.toLowerCase(),
      })
    : null;
const saleOf = (json: string | null): (Omit<SaleTerms, "amount"> & { amount: string }) | null =>
  json ? (JSON.parse(json) as Omit<SaleTerms, "amount"> & { amount: string }) : null;
/** The part of a sale's terms one `sell` call shares (its context). */
const contextKey = (json: string | null): string => {
  const t = saleOf(json);
  return t ? JSON.stringify([t.store, t.terminal, t.amount, t.currency]) : "";
};

type OrderRow = {
  client: string;
  ref: string;
  body_hash: string;
  kind: "sale" | "transfer";
  batch_id: Hex;
  quantity: number;
  recipient: Address | null;
  buyer: string | null;
  status: OrderStatus;
  reason: string | null;
  indices: string;
  memo: string | null;
  sale: string | null;
  tx_hash: Hex | null;
  block: number | null;
  attempts: number;
  created_ms: number;
  done_ms: number | null;
};

/**
 * The canonical form of an order request (what the idempotency check compares): sha256 of its
 * fields in a fixed order, addresses and batch id in lower case.
 */
export function hashOrderRequest(r: OrderRequest, options?: PlaceOrderOptions): string {
  const fields: unknown[] = [r.kind, r.batchId.toLowerCase(), r.quantity, r.to?.toLowerCase() ?? null, r.buyer ?? null];
  // named keys and a memo (CLI orders) are part of the order; API bodies hash as before
  if (options?.indices) fields.push([...options.indices].sort((a, b) => a - b));
  if (options?.memo) fields.push(options.memo);
  if (options?.sale) fields.push(saleJson(options.sale));
  const canonical = JSON.stringify(fields);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * Starts the gateway engine: checks the ledger is v2, reconciles the outbox with the chain by
 * nonce (a stored transaction whose nonce is used on chain: its receipt settles its orders; else it
 * is broadcast again), loads the signer's holdings once from the logs, re-queues accepted orders
 * not yet in a transaction, then runs the signer loop (one `sell` / `transferMany` per window)
 * and the watcher (receipts, fee bumps).
 *
 * @param parameters - see {@link CreateGatewayParameters}.
 * @returns the running {@link Gateway}.
 * @example
 * const gateway = await createGateway({ store, publicClient, account, ledger });
 */
export async function createGateway(parameters: CreateGatewayParameters): Promise<Gateway> {
  const { store, publicClient, account } = parameters;
  const ledger = getAddress(parameters.ledger);
  const signer = account.address.toLowerCase();
  const windowMs = parameters.windowMs ?? 200;
  const sendOnHead = parameters.sendOnHead ?? true;
  const maxOrdersPerTx = parameters.maxOrdersPerTx ?? 100;
  const maxQuantity = parameters.maxQuantity ?? 100;
  const maxKeysPerTx = parameters.maxKeysPerTx ?? 2_000;
  const stuckBlocks = parameters.stuckBlocks ?? 3;
  const pollMs = parameters.pollMs ?? 500;
  const groupMs = parameters.groupMs ?? 2;
  const maxGroupOrders = parameters.maxGroupOrders ?? 1_000;
  const log = parameters.log ?? (() => undefined);
  const box = createSecretBox(parameters.secretsKey);
  const chainId = await publicClient.getChainId();

  const code = await publicClient.getCode({ address: ledger });
  if (!code || code === "0x")
    throw new GatewayConfigError(`No contract at ledger address ${ledger} on chain ${chainId}.`);
  try {
    const zero = `0x${"0".repeat(64)}` as Hex;
    await publicClient.readContract({
      address: ledger,
      abi: keyLedgerV2Abi,
      functionName: "saleLeaf",
      args: [zero, 0n, zero, zero],
    });
  } catch (e) {
    throw new GatewayConfigError(
      `Ledger ${ledger} is not a KeyLedger v2 (it has no sale module): the gateway needs v2.`,
      { cause: e },
    );
  }

  // ---------------------------------------------------------------- clients
  const clients = new Map<string, { client: string; scopes: Set<GatewayScope> }>();
  for (const c of await store.query<{ id: string; key_hash: string; scopes: string }>("SELECT * FROM gw_clients")) {
    clients.set(c.key_hash, { client: c.id, scopes: new Set(c.scopes.split(",") as GatewayScope[]) });
  }

  // ---------------------------------------------------------------- replicas
  // PGlite: one process per folder, it always signs. PostgreSQL: any number of replicas accept
  // orders; the one holding the account's lease (gw_leases) signs, checked in each signing transaction.
  const shared = store.info.kind === "postgres";
  const holder = parameters.replicaId ?? randomUUID();
  const leaseMs = parameters.leaseMs ?? 5_000;
  const reorgBlocks = parameters.reorgBlocks ?? 12;
  /** Serialises this account's allocations and order inserts across replicas (PostgreSQL). */
  const lockAccount = async (sql: Sql): Promise<void> => {
    if (shared) await sql.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`keytrail-gateway:${signer}`]);
  };
  let leader = false;
  /** Bumped at each take-over and stand-down: work begun in another epoch does not touch the queue. */
  let epoch = 0;
  let nextNonce = 0;
  /** Highest gw_orders.seq the signing replica has queued (orders accepted by the others come after). */
  let lastOrderSeq = 0;
  /** Highest gw_allocations.seq this replica's pool has caught up with. */
  let lastAllocSeq = 0;
  const queue: Pending[] = [];
  const inflight = new Map<number, InFlight>();
  const mined: Mined[] = [];
  /**
   * Orders in the signing replica's hands (queued or in a transaction), by client and reference:
   * an order is never queued twice (its own acceptance and the order poll may both see it).
   */
  const held = new Set<string>();
  const keyOf = (o: { client: string; ref: string }) => `${o.client}\u0000${o.ref}`;

  function standDown(why: string): void {
    if (!leader) return;
    leader = false;
    epoch++;
    queue.length = 0;
    inflight.clear();
    mined.length = 0;
    held.clear();
    log(`replica ${holder}: stops signing for ${account.address} (${why}); it keeps accepting orders`);
  }

  /**
   * Takes the outbox over (at start, or when this replica gets the lease): reconciles the stored
   * transactions with the chain by nonce (a used nonce: its receipt settles its orders; else it is
   * broadcast again) and queues accepted orders not yet in a transaction.
   */
  async function takeOver(): Promise<void> {
    leader = false;
    epoch++;
    const mine = epoch;
    queue.length = 0;
    inflight.clear();
    mined.length = 0;
    held.clear();
    const head0 = await publicClient.getBlockNumber();
    const chainNonce0 = await publicClient.getTransactionCount({ address: account.address, blockTag: "latest" });
    const pendingNonce0 = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
    const read = await store.transaction(async (tx) => {
      await lockAccount(tx); // no order insert of another replica half-way: the seq below is a clean cut
      await tx.query(
        `INSERT INTO gw_nonces (signer, next) VALUES ($1, $2)
         ON CONFLICT (signer) DO UPDATE SET next = GREATEST(gw_nonces.next, EXCLUDED.next)`,
        [signer, Math.max(chainNonce0, pendingNonce0)],
      );
      const [nonceRow] = await tx.query<{ next: number }>("SELECT next FROM gw_nonces WHERE signer = $1", [signer]);
      const [seqRow] = await tx.query<{ seq: number | null }>(
        "SELECT max(seq) AS seq FROM gw_orders WHERE signer = $1",
        [signer],
      );
      const openRows = await tx.query<OrderRow>(
        "SELECT * FROM gw_orders WHERE signer = $1 AND status = 'pending' ORDER BY seq",
        [signer],
      );
      const secretRows = openRows.length
        ? await tx.query<{ client: string; ref: string; idx: number; secret: Hex }>(
            `SELECT s.client, s.ref, s.idx, s.secret FROM gw_secrets s
             JOIN gw_orders o ON o.client = s.client AND o.ref = s.ref
             WHERE o.signer = $1 AND o.status = 'pending'`,
            [signer],
          )
        : [];
      const txRows = await tx.query<{
        hash: Hex;
        nonce: number;
        raw: Hex;
        orders: string;
        max_fee: string;
        priority_fee: string;
        sent_block: number;
      }>(
        `SELECT hash, nonce, raw, orders, max_fee, priority_fee, sent_block FROM gw_txs
         WHERE signer = $1 AND status = 'sent' ORDER BY nonce, max_fee::numeric`,
        [signer],
      );
      return { next: nonceRow!.next, seq: Number(seqRow?.seq ?? 0), openRows, secretRows, txRows };
    });
    const pendingOf = pendingFromRows(read.openRows, read.secretRows);
    const flights = new Map<number, InFlight>();
    const inTx = new Set<string>();
    const resend: Hex[] = [];
    for (const t of read.txRows) {
      let f = flights.get(t.nonce);
      const keys = JSON.parse(t.orders) as [string, string][];
      if (!f) {
        const orders = keys
          .map(([c, r]) => pendingOf.get(`${c}\u0000${r}`))
          .filter((p): p is Pending => p !== undefined);
        f = {
          nonce: t.nonce,
          hashes: [],
          raws: [],
          orders,
          data: "0x",
          gas: 0n,
          maxFee: 0n,
          tip: 0n,
          sentBlock: t.sent_block,
          missing: 0,
        };
        flights.set(t.nonce, f);
      }
      for (const [c, r] of keys) inTx.add(`${c}\u0000${r}`);
      f.hashes.push(t.hash);
      f.raws.push(t.raw);
      f.maxFee = BigInt(t.max_fee);
      f.tip = BigInt(t.priority_fee);
      const parsed = parseRaw(t.raw);
      f.data = parsed.data;
      f.gas = parsed.gas;
      if (t.nonce >= chainNonce0) {
        f.sentBlock = Number(head0);
        resend.push(t.raw);
      }
    }
    if (mine !== epoch) return; // stood down meanwhile
    for (const [n, f] of flights) inflight.set(n, f);
    queue.push(...[...pendingOf.entries()].filter(([k]) => !inTx.has(k)).map(([, p]) => p));
    for (const k of pendingOf.keys()) held.add(k);
    nextNonce = read.next;
    lastOrderSeq = read.seq;
    leader = true;
    if (read.txRows.length || queue.length)
      log(`outbox: ${inflight.size} transaction(s) in flight, ${queue.length} order(s) re-queued`);
    for (const raw of resend) await broadcast(raw);
  }

  /** Pending orders (with their receipt secrets opened) from stored rows. */
  function pendingFromRows(
    rows: OrderRow[],
    secretRows: { client: string; ref: string; idx: number; secret: Hex }[],
  ): Map<string, Pending> {
    const secretsOf = new Map<string, Map<number, Hex>>();
    for (const s of secretRows) {
      const k = `${s.client}\u0000${s.ref}`;
      if (!secretsOf.has(k)) secretsOf.set(k, new Map());
      secretsOf.get(k)!.set(Number(s.idx), box.open(s.secret, secretContext(s.client, s.ref, Number(s.idx))));
    }
    const out = new Map<string, Pending>();
    for (const o of rows) {
      const k = `${o.client}\u0000${o.ref}`;
      const secrets = secretsOf.get(k) ?? new Map<number, Hex>();
      const indices = JSON.parse(o.indices) as number[];
      out.set(
        k,
        toPending(
          o.client,
          o.ref,
          o.kind,
          o.batch_id,
          indices,
          o.recipient,
          (i) => secrets.get(i)!,
          o.attempts,
          o.memo,
          o.sale,
        ),
      );
    }
    return out;
  }

  /** The signing replica picks up the orders the other replicas accepted (PostgreSQL). */
  async function pollOrders(): Promise<void> {
    const mine = epoch;
    const rows = await store.query<OrderRow & { seq: number }>(
      "SELECT * FROM gw_orders WHERE signer = $1 AND seq > $2 AND status = 'pending' ORDER BY seq",
      [signer, lastOrderSeq],
    );
    if (rows.length === 0 || mine !== epoch) return;
    lastOrderSeq = Math.max(lastOrderSeq, ...rows.map((r) => Number(r.seq)));
    const theirs = rows.filter((r) => !held.has(keyOf(r)));
    if (theirs.length === 0) return;
    const sales = theirs.filter((r) => r.kind === "sale");
    const secretRows = sales.length
      ? await store.query<{ client: string; ref: string; idx: number; secret: Hex }>(
          `SELECT client, ref, idx, secret FROM gw_secrets
           WHERE (client, ref) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
          [sales.map((r) => r.client), sales.map((r) => r.ref)],
        )
      : [];
    if (mine !== epoch) return;
    for (const p of pendingFromRows(theirs, secretRows).values()) {
      if (held.has(keyOf(p))) continue; // accepted here meanwhile
      held.add(keyOf(p));
      queue.push(p);
    }
  }

  const ACQUIRE_LEASE = `
    INSERT INTO gw_leases (signer, holder, expires) VALUES ($1, $2, clock_timestamp() + $3::double precision * interval '1 millisecond')
    ON CONFLICT (signer) DO UPDATE SET holder = EXCLUDED.holder, expires = EXCLUDED.expires
    WHERE gw_leases.holder = EXCLUDED.holder OR gw_leases.expires < clock_timestamp()
    RETURNING holder`;
  let lastRenewed = 0;

  /** Takes or renews the account's signing lease; takes the outbox over when it is newly held. */
  async function tendLease(): Promise<void> {
    try {
      const held = (await store.query(ACQUIRE_LEASE, [signer, holder, leaseMs])).length > 0;
      if (!held) return standDown("another replica holds the signing lease");
      lastRenewed = Date.now();
      if (!leader) {
        log(`replica ${holder}: holds the signing lease of ${account.address}; takes the outbox over`);
        await takeOver();
      }
    } catch (e) {
      log(`lease: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
      if (Date.now() - lastRenewed > leaseMs / 2) standDown("the lease could not be renewed");
    }
  }

  async function leaseLoop(): Promise<void> {
    while (!stopped) {
      await sleep(Math.max(20, Math.floor(leaseMs / 4)));
      if (!stopped) await tendLease();
    }
  }

  // ---------------------------------------------------------------- holdings
  const holdingsHead = await publicClient.getBlockNumber();
  const free = await loadHoldings({
    publicClient,
    ledger,
    account: account.address,
    fromBlock: parameters.fromBlock,
    toBlock: holdingsHead,
  });
  const allocated = await store.transaction(async (tx) => {
    await lockAccount(tx);
    return tx.query<{ batch_id: Hex; idx: number; seq: number }>(
      "SELECT batch_id, idx, seq FROM gw_allocations WHERE signer = $1",
      [signer],
    );
  });
  for (const a of allocated) {
    free.get(a.batch_id)?.remove(Number(a.idx), Number(a.idx) + 1);
    lastAllocSeq = Math.max(lastAllocSeq, Number(a.seq));
  }
  parameters.stock?.restrict(free); // a batch in stock sells stocked keys only
  let freeKeys = 0;
  for (const s of free.values()) freeKeys += s.size;
  log(
    `holdings: ${freeKeys} free key(s) in ${free.size} batch(es) of ${account.address} (read to block ${holdingsHead})`,
  );
  const batchKnown = new Map<Hex, boolean>();

  // ---------------------------------------------------------------- orders
  const locks = new Map<string, Promise<unknown>>();
  const withLock = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const prev = locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (locks.get(key) === tail) locks.delete(key);
    }
  };

  async function readOrder(sql: Sql, client: string, ref: string): Promise<OrderAnswer | null> {
    const [o] = await sql.query<OrderRow>("SELECT * FROM gw_orders WHERE client = $1 AND ref = $2", [client, ref]);
    if (!o) return null;
    const secrets =
      o.kind === "sale"
        ? await sql.query<{ idx: number; secret: Hex }>(
            "SELECT idx, secret FROM gw_secrets WHERE client = $1 AND ref = $2 ORDER BY idx",
            [client, ref],
          )
        : [];
    return answerOf(
      o,
      secrets.map((s) => ({ idx: s.idx, secret: box.open(s.secret, secretContext(client, ref, s.idx)) })),
    );
  }

  function answerOf(o: OrderRow, secrets: { idx: number; secret: Hex }[]): OrderAnswer & { bodyHash: string } {
    const seller = account.address;
    return {
      orderReference: o.ref,
      kind: o.kind,
      status: o.status,
      batchId: o.batch_id,
      quantity: o.quantity,
      indices: JSON.parse(o.indices) as number[],
      seller,
      to: o.recipient,
      buyer: o.buyer,
      ledger,
      chainId,
      keys: secrets.map((s) => ({ batchId: o.batch_id, index: s.idx, seller, receiptSecret: s.secret })),
      txHash: o.status === "confirmed" ? o.tx_hash : null,
      blockNumber: o.block,
      reason: o.reason,
      acceptedAt: o.created_ms,
      settledAt: o.done_ms,
      bodyHash: o.body_hash,
    };
  }

  const strip = (a: OrderAnswer & { bodyHash?: string }): OrderAnswer => {
    const { bodyHash: _b, ...rest } = a;
    return rest;
  };

  async function checkBatch(batchId: Hex): Promise<void> {
    if (batchKnown.get(batchId)) return;
    const [, , count] = await publicClient.readContract({
      address: ledger,
      abi: keyLedgerV2Abi,
      functionName: "batchOf",
      args: [batchId],
    });
    if (count === 0n)
      throw new GatewayError(
        404,
        "UNKNOWN_BATCH",
        `Unknown batch ${batchId}: it is not anchored on ledger ${ledger} (chain ${chainId}).`,
      );
    batchKnown.set(batchId, true);
  }

  const batchMeta = new Map<Hex, { supplier: Address; restricted: boolean }>();
  /** (batch, recipient) pairs found authorised, until when (ms): re-read after 10 s. */
  const authorised = new Map<string, number>();

  /**
   * A transfer of a restricted batch to a party the supplier has not authorised (or whose
   * authorisation expired) is refused at once (422 RECIPIENT_NOT_AUTHORIZED) instead of failing on
   * chain. An RPC failure here does not refuse: the ledger has the last word.
   */
  async function checkRecipient(batchId: Hex, to: Address, ref: string): Promise<void> {
    const key = `${batchId}:${to.toLowerCase()}`;
    if ((authorised.get(key) ?? 0) > Date.now()) return;
    try {
      let meta = batchMeta.get(batchId);
      if (!meta) {
        const [, supplier, , , restricted] = await publicClient.readContract({
          address: ledger,
          abi: keyLedgerV2Abi,
          functionName: "batchOf",
          args: [batchId],
        });
        batchMeta.set(batchId, (meta = { supplier, restricted }));
      }
      if (meta.restricted && to.toLowerCase() !== meta.supplier.toLowerCase()) {
        const [, , , valid] = await publicClient.readContract({
          address: ledger,
          abi: keyLedgerV2Abi,
          functionName: "authorizationOf",
          args: [meta.supplier, to],
        });
        if (!valid)
          throw new GatewayError(
            422,
            "RECIPIENT_NOT_AUTHORIZED",
            `Order ${JSON.stringify(ref)}: batch ${batchId} is restricted and ${to} holds no valid authorisation of ` +
              `its supplier ${meta.supplier} on ledger ${ledger}.`,
          );
      }
      authorised.set(key, Date.now() + 10_000);
    } catch (e) {
      if (e instanceof GatewayError) throw e;
      log(
        `recipient check of ${to} on batch ${batchId} not done (${e instanceof Error ? e.message.split("\n")[0] : String(e)}): the ledger decides`,
      );
    }
  }

  /** (client, reference) pairs known to be in the store: a repeat skips the allocation. */
  const existing = new Set<string>();
  /** Orders waiting for the next group insert (one statement for all, so a burst costs one commit). */
  let inserts: { row: NewOrder; done: (inserted: boolean) => void; fail: (e: unknown) => void }[] = [];
  let flushing = false;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Group commit: the first order of a group starts a `groupMs` timer; the orders that arrive
   * meanwhile (and while a group is being written) go out together in one statement. PGlite runs
   * each statement synchronously on this thread with a fixed cost of a few milliseconds, so a group
   * written as soon as its first order arrives would hold one or two orders under load.
   */
  function insertOrder(row: NewOrder): Promise<boolean> {
    return new Promise((done, fail) => {
      inserts.push({ row, done, fail });
      scheduleFlush();
    });
  }

  function scheduleFlush(): void {
    if (flushing || flushTimer || inserts.length === 0) return;
    if (inserts.length >= maxGroupOrders) {
      void flushInserts();
      return;
    }
    flushTimer = setTimeout(() => {
      flushTimer = null;
      void flushInserts();
    }, groupMs);
  }

  async function flushInserts(): Promise<void> {
    if (flushing) return;
    if (flushTimer) {
      clearTimeout(flushTimer);
      flushTimer = null;
    }
    flushing = true;
    while (inserts.length > 0) {
      let group = inserts.slice(0, maxGroupOrders);
      inserts = inserts.slice(group.length);
      try {
        const got = shared
          ? await insertShared(
              () => group,
              (g) => (group = g),
            )
          : await insertRows(
              store,
              group.map((g) => g.row),
            );
        const ok = new Set(got.map((g) => `${g.client}\u0000${g.ref}`));
        for (const g of group) g.done(ok.has(`${g.row.client}\u0000${g.row.ref}`));
      } catch (e) {
        for (const g of group) g.fail(e);
      }
      // what arrived while this group was written goes out after a gather of its own (or at once
      // when a full group is already waiting)
      if (inserts.length < maxGroupOrders) break;
    }
    flushing = false;
    scheduleFlush();
  }

  /**
   * Replicas: inserts a group under the account's lock after {@link catchUp}. A unique violation on
   * gw_allocations (which the catch-up rules out) is never surfaced: the group is caught up and
   * inserted again, at most 5 times.
   */
  async function insertShared(
    get: () => typeof inserts,
    set: (group: typeof inserts) => void,
  ): Promise<{ client: string; ref: string }[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.transaction(async (tx) => {
          await lockAccount(tx);
          const group = await catchUp(tx, get());
          set(group);
          return insertRows(
            tx,
            group.map((g) => g.row),
          );
        });
      } catch (e) {
        const pg = e as { code?: unknown; constraint?: unknown };
        if (attempt >= 5 || pg.code !== "23505" || pg.constraint !== "gw_allocations_pkey") throw e;
        log(`allocation clash on attempt ${attempt} (${(e as Error).message}): the group is caught up again`);
      }
    }
  }

  function insertRows(sql: Sql, rows: NewOrder[]) {
    const sales = rows.flatMap((r) => r.secrets.map((secret, k) => ({ r, idx: r.indices[k]!, secret })));
    return sql.query<{ client: string; ref: string }>(INSERT_ORDERS, [
      signer,
      rows.map((r) => r.client),
      rows.map((r) => r.ref),
      rows.map((r) => r.bodyHash),
      rows.map((r) => r.kind),
      rows.map((r) => r.batchId),
      rows.map((r) => r.quantity),
      rows.map((r) => r.to),
      rows.map((r) => r.buyer),
      rows.map((r) => JSON.stringify(r.indices)),
      rows.map((r) => r.createdMs),
      sales.map((x) => x.r.client),
      sales.map((x) => x.r.ref),
      sales.map((x) => x.idx),
      sales.map((x) => box.seal(x.secret, secretContext(x.r.client, x.r.ref, x.idx))),
      rows.map((r) => r.memo),
      rows.map((r) => r.sale),
    ]);
  }

  /**
   * Replicas (under the account's lock): removes from this replica's pool the keys the others
   * allocated since it last looked; an order of the group holding such a key gets other free keys,
   * or is refused (INSUFFICIENT_KEYS) when there are not enough.
   */
  async function catchUp(tx: Sql, group: typeof inserts): Promise<typeof inserts> {
    const seen = await tx.query<{ batch_id: Hex; idx: number; seq: number }>(
      "SELECT batch_id, idx, seq FROM gw_allocations WHERE signer = $1 AND seq > $2",
      [signer, lastAllocSeq],
    );
    const taken = new Set<string>();
    for (const a of seen) {
      const idx = Number(a.idx);
      free.get(a.batch_id)?.remove(idx, idx + 1);
      taken.add(`${a.batch_id}:${idx}`);
      lastAllocSeq = Math.max(lastAllocSeq, Number(a.seq));
    }
    // the orders of this group, and those that took their keys since and wait for the next one
    const fix = (g: (typeof inserts)[number]): boolean => {
      const r = g.row;
      const clash = r.indices.filter((i) => taken.has(`${r.batchId}:${i}`));
      if (clash.length === 0) return true;
      const pool = free.get(r.batchId)!;
      const keep = r.indices.filter((i) => !taken.has(`${r.batchId}:${i}`));
      const more = pool.take(clash.length);
      if (more) {
        r.indices = [...keep, ...more].sort((x, y) => x - y);
        return true;
      }
      for (const i of keep) pool.add(i, i + 1);
      r.indices = [];
      g.fail(
        new GatewayError(
          409,
          "INSUFFICIENT_KEYS",
          `Order ${JSON.stringify(r.ref)} asks ${r.quantity} key(s) of batch ${r.batchId}; account ` +
            `${account.address} has ${pool.size} free key(s) of it.`,
        ),
      );
      return false;
    };
    // The seq catch-up misses a key that was out of the pool when it ran (taken by an order still
    // checking its recipient) or put back in it after a failed insert: check the group's keys in the
    // table itself, under the lock, and swap the clashing ones until none is left.
    let kept = group;
    for (;;) {
      if (taken.size > 0) {
        kept = kept.filter(fix);
        inserts = inserts.filter(fix);
        taken.clear();
      }
      const batches = kept.flatMap((g) => g.row.indices.map(() => g.row.batchId));
      const idxs = kept.flatMap((g) => g.row.indices);
      if (idxs.length === 0) return kept;
      const clash = await tx.query<{ batch_id: Hex; idx: number }>(
        `SELECT a.batch_id, a.idx FROM gw_allocations a
         JOIN unnest($2::text[], $3::bigint[]) AS x(b, i) ON a.batch_id = x.b AND a.idx = x.i
         WHERE a.signer = $1`,
        [signer, batches, idxs],
      );
      // a key twice in the group (never expected) would fail the insert as well: swap it too
      const once = new Set<string>();
      for (const [k, b] of batches.entries()) {
        const key = `${b}:${idxs[k]}`;
        if (once.has(key)) clash.push({ batch_id: b, idx: idxs[k]! });
        once.add(key);
      }
      if (clash.length === 0) return kept;
      for (const a of clash) {
        const idx = Number(a.idx);
        free.get(a.batch_id)?.remove(idx, idx + 1);
        taken.add(`${a.batch_id}:${idx}`);
      }
    }
  }

  async function placeOrder(client: string, request: OrderRequest, options?: PlaceOrderOptions) {
    const ref = request.orderReference;
    const bodyHash = hashOrderRequest(request, options);
    const named = options?.indices ? [...new Set(options.indices)].sort((a, b) => a - b) : null;
    if (named && named.length !== request.quantity)
      throw new GatewayError(
        400,
        "MALFORMED_BODY",
        `Order ${JSON.stringify(ref)}: quantity ${request.quantity} is not the number of named keys (${named.length}).`,
      );
    return withLock(`${client}\u0000${ref}`, async () => {
      const repeat = async () => {
        const first = (await readOrder(store, client, ref)) as (OrderAnswer & { bodyHash: string }) | null;
        if (!first) return null;
        if (first.bodyHash !== bodyHash) {
          throw new GatewayError(
            409,
            "ORDER_REFERENCE_CONFLICT",
            `Order reference ${JSON.stringify(ref)} was first used for ${describe(first)} (body sha256 ${first.bodyHash}); ` +
              `this request asks ${describe(request)} (body sha256 ${bodyHash}). A reference names one order only.`,
          );
        }
        return { created: false, answer: strip(first) };
      };
      const known = `${client}\u0000${ref}`;
      if (existing.has(known)) return (await repeat())!;
      const batchId = request.batchId.toLowerCase() as Hex;
      if (request.quantity > maxQuantity) {
        throw new GatewayError(
          422,
          "MALFORMED_BODY",
          `quantity ${request.quantity} is above the gateway's limit of ${maxQuantity} keys per order.`,
        );
      }
      const pool = free.get(batchId);
      if (!pool) await checkBatch(batchId);
      const indices = named ? takeNamed(pool, named) : (pool?.take(request.quantity) ?? null);
      if (!indices) {
        const seen = await repeat();
        if (seen) return seen;
        if (named)
          throw new GatewayError(
            409,
            "INSUFFICIENT_KEYS",
            `Order ${JSON.stringify(ref)}: keys ${formatRanges(notFreeOf(pool, named))} of batch ${batchId} are not free ` +
              `for account ${account.address} (not held, frozen, sold, redeemed, or allocated to another order).`,
          );
        throw new GatewayError(
          409,
          "INSUFFICIENT_KEYS",
          `Order ${JSON.stringify(ref)} asks ${request.quantity} key(s) of batch ${batchId}; account ${account.address} ` +
            `has ${pool?.size ?? 0} free key(s) of it.`,
        );
      }
      if (request.kind === "transfer" && request.to) {
        try {
          await checkRecipient(batchId, request.to, ref);
        } catch (e) {
          for (const i of indices) pool!.add(i, i + 1);
          const seen = await repeat(); // a reference accepted before (by a restart or another replica)
          if (seen) return seen;
          throw e;
        }
      }
      const secrets = request.kind === "sale" ? indices.map(() => createReceiptSecret()) : [];
      const row: NewOrder = {
        client,
        ref,
        bodyHash,
        kind: request.kind,
        batchId,
        quantity: request.quantity,
        to: request.to ?? null,
        buyer: request.buyer ?? null,
        indices,
        secrets,
        memo: options?.memo || null,
        sale: saleJson(options?.sale),
        createdMs: Date.now(),
      };
      const queued = leader ? epoch : -1; // the signing replica queues its own orders at once
      let inserted: boolean;
      try {
        inserted = await insertOrder(row);
      } catch (e) {
        for (const i of row.indices) pool!.add(i, i + 1);
        throw e;
      }
      existing.add(known);
      if (!inserted) {
        for (const i of row.indices) pool!.add(i, i + 1);
        return (await repeat())!; // the reference was taken first (another replica, or before a restart)
      }
      const p = toPending(
        client,
        ref,
        request.kind,
        batchId,
        row.indices,
        request.to ?? null,
        (i) => secrets[row.indices.indexOf(i)]!,
        0,
        row.memo,
        row.sale,
      );
      if (leader && queued === epoch) {
        if (!held.has(known)) {
          held.add(known);
          queue.push(p);
          lastQueued = performance.now();
        }
      }
      const answer: OrderAnswer = {
        orderReference: ref,
        kind: row.kind,
        status: "pending",
        batchId,
        quantity: row.quantity,
        indices: row.indices,
        seller: account.address,
        to: row.to,
        buyer: row.buyer,
        ledger,
        chainId,
        keys: secrets.map((secret, k) => ({
          batchId,
          index: row.indices[k]!,
          seller: account.address,
          receiptSecret: secret,
        })),
        txHash: null,
        blockNumber: null,
        reason: null,
        acceptedAt: row.createdMs,
        settledAt: null,
      };
      return { created: true, answer };
    });
  }

  // ---------------------------------------------------------------- signer loop
  let stopped = false;
  let fees: { maxFee: bigint; tip: bigint } | null = null;
  /** When `fees` was read (ms): read again after FEES_MAX_AGE_MS, in the background (no window waits for it). */
  let feesAt = 0;
  let feesReading = false;

  /** Reads the fees again without holding anyone up (a failed read keeps the previous ones). */
  function refreshFees(): void {
    if (feesReading || (fees && Date.now() - feesAt <= FEES_MAX_AGE_MS)) return;
    feesReading = true;
    currentFees()
      .then((f) => {
        fees = f;
        feesAt = Date.now();
      })
      .catch((e: unknown) => log(`fee read: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`))
      .finally(() => {
        feesReading = false;
      });
  }

  // ---------------------------------------------------------------- chain head
  /** The newest block number seen, read every `headPollMs` (-1: unknown, none yet or the last read failed). */
  let chainHead = -1;
  let headWaiters: (() => void)[] = [];
  const headPollMs = Math.max(20, Math.min(100, Math.floor(pollMs / 2)));

  /** Resolves at the next new head, or after `ms` (whichever comes first). */
  function nextHeadOr(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        headWaiters = headWaiters.filter((w) => w !== done);
        resolve();
      }
      headWaiters.push(done);
    });
  }

  /**
   * Follows the chain's block rhythm (a tight poll of eth_blockNumber, uncached): at each new head
   * the signer sends what has gathered, so it is in the pool for the next block, and the watcher
   * reads the receipts at once instead of at its next poll.
   */
  async function headLoop(): Promise<void> {
    while (!stopped) {
      try {
        const n = Number(await publicClient.getBlockNumber({ cacheTime: 0 }));
        if (n !== chainHead) {
          chainHead = n;
          const waiters = headWaiters;
          headWaiters = [];
          for (const w of waiters) w();
          if (leader) refreshFees();
        }
      } catch (e) {
        // the head is unknown until a read succeeds: the signer and the watcher read it themselves
        chainHead = -1;
        log(`head poll: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
        await sleep(pollMs);
      }
      await sleep(headPollMs);
    }
  }

  /**
   * The hot path's gas limit for a sale without a simulation: once a sale of at least
   * GAS_MODEL_MIN_KEYS keys simulated, later sale windows skip the simulation while no sale was
   * refused or reverted since; a refusal or a revert on chain (e.g. a range frozen meanwhile) brings
   * the simulation and its bisection back. `saleGasPerKey` is the most gas per key seen.
   */
  let saleGasPerKey = 0;
  let saleTrusted = false;

  function modelledSaleGas(orders: Pending[]): bigint {
    const keys = orders.reduce((n, o) => n + o.indices.length, 0);
    const batches = new Set(orders.map((o) => o.batchId)).size;
    // fixed part (the transaction, the call, new bitmap words) and a per-batch group, with a quarter headroom
    return (BigInt(Math.ceil(saleGasPerKey * keys + 50_000 * batches + 150_000)) * 5n) / 4n;
  }

  function callOf(kind: "sale" | "transfer", orders: Pending[]): Hex {
    if (kind === "transfer") {
      const items = orders.flatMap((o) =>
        toRanges(o.indices).map(([s, e]) => ({ batchId: o.batchId, start: BigInt(s), end: BigInt(e), to: o.to! })),
      );
      return encodeFunctionData({ abi: keyLedgerV2Abi, functionName: "transferMany", args: [items, memoOf(orders)] });
    }
    const byBatch = new Map<Hex, { index: number; commitment: Hex; orderRef: Hex }[]>();
    for (const o of orders) {
      if (!byBatch.has(o.batchId)) byBatch.set(o.batchId, []);
      o.indices.forEach((index, k) =>
        byBatch.get(o.batchId)!.push({ index, commitment: o.commitments[k]!, orderRef: o.orderRefs[k]! }),
      );
    }
    const groups = [...byBatch.entries()].map(([batchId, items]) => {
      items.sort((a, b) => a.index - b.index);
      return {
        batchId,
        indices: items.map((i) => BigInt(i.index)),
        commitments: items.map((i) => i.commitment),
        orderRefs: items.map((i) => i.orderRef),
      };
    });
    return encodeFunctionData({
      abi: keyLedgerV2Abi,
      functionName: "sell",
      args: [groups, contextOf(orders[0]!.sale)],
    });
  }

  async function simulate(data: Hex): Promise<bigint> {
    return publicClient.estimateGas({ account: account.address, to: ledger, data });
  }

  /** Simulates the orders' call; bisects on a revert so each bad order fails alone; signs and sends the rest. */
  async function submit(kind: "sale" | "transfer", orders: Pending[], whole = true): Promise<void> {
    if (orders.length === 0) return;
    const began = performance.now();
    const data = callOf(kind, orders);
    const keyCount = orders.reduce((n, o) => n + o.indices.length, 0);
    let gas: bigint;
    const modelled = kind === "sale" && saleTrusted && saleGasPerKey > 0 ? modelledSaleGas(orders) : 0n;
    // a large limit could exceed the block's gas limit, which the simulation's figure never does
    const skip = modelled > 0n && modelled <= MODEL_GAS_CAP;
    try {
      if (skip) gas = modelled;
      else {
        gas = await simulate(data);
        // a half of a bisection proves nothing about the other half: only a whole window restores trust
        if (kind === "sale" && whole && keyCount >= GAS_MODEL_MIN_KEYS) {
          // less the transaction's own 21,000 and a new bitmap word's 20,000 (the model's fixed part covers them)
          saleGasPerKey = Math.max(saleGasPerKey, Math.max(0, Number(gas) - 41_000) / keyCount);
          saleTrusted = true;
        }
      }
    } catch (e) {
      if (kind === "sale") saleTrusted = false;
      const { reason, refused } = decodeRevertOf(e, kind, orders);
      if (!refused) {
        log(`simulation failed (${reason}); ${orders.length} order(s) wait for the next window`);
        queue.unshift(...orders);
        await sleep(pollMs);
        return;
      }
      if (orders.length === 1) return failOrder(orders[0]!, reason);
      const mid = Math.ceil(orders.length / 2);
      await submitThen(kind, orders.slice(0, mid), orders.slice(mid), false);
      await submit(kind, orders.slice(mid), false);
      return;
    }
    const simulated = performance.now();
    if (!skip) gas = (gas * 12n) / 10n + 20_000n;
    let nonce: number;
    try {
      if (!fees) {
        fees = await currentFees();
        feesAt = Date.now();
      }
      nonce = await sign(orders, data, gas, fees.maxFee, fees.tip, null);
    } catch (e) {
      // nothing was stored (the nonce and the raw transaction commit together): the orders wait for
      // the next window; a replica that lost its lease leaves them to the one that holds it
      if (!(e instanceof LeaseLostError)) queue.unshift(...orders);
      throw e;
    }
    log(
      `sent nonce ${nonce}: ${kind} of ${keyCount} key(s) for ${orders.length} order(s) ` +
        (skip ? `(gas from the model, ` : `(simulated in ${Math.round(simulated - began)} ms, `) +
        `stored and sent in ${Math.round(performance.now() - simulated)} ms)`,
    );
  }

  /**
   * Submits `orders`; when that throws (an RPC fault before anything is stored), `rest`, which was
   * to go out next in the same window, goes back to the queue too: no order is left out of both the
   * queue and the outbox.
   */
  async function submitThen(
    kind: "sale" | "transfer",
    orders: Pending[],
    rest: Pending[],
    whole = true,
  ): Promise<void> {
    try {
      await submit(kind, orders, whole);
    } catch (e) {
      if (!(e instanceof LeaseLostError)) queue.unshift(...rest);
      throw e;
    }
  }

  function decodeRevertOf(e: unknown, kind: "sale" | "transfer", _orders: Pending[]) {
    // estimateGas errors carry the raw revert data; decode it against the v2 ABI
    const d = decodeRevert(e);
    const raw = findRevertData(e);
    if (raw) {
      try {
        const r = decodeErrorResult({ abi: keyLedgerV2Abi, data: raw });
        return { reason: `${r.errorName}(${(r.args ?? []).map(String).join(", ")})`, refused: true };
      } catch {
        return { reason: `${kind} reverted: ${raw}`, refused: true };
      }
    }
    if (/revert/i.test(d.reason)) return { reason: d.reason, refused: true };
    return d;
  }

  async function currentFees(): Promise<{ maxFee: bigint; tip: bigint }> {
    const f = await publicClient.estimateFeesPerGas();
    return { maxFee: f.maxFeePerGas, tip: f.maxPriorityFeePerGas };
  }

  /** Takes a nonce, signs and stores the raw transaction in one database transaction, then broadcasts. */
  async function sign(
    orders: Pending[],
    data: Hex,
    gas: bigint,
    maxFee: bigint,
    tip: bigint,
    replace: InFlight | null,
  ) {
    const head = chainHead >= 0 ? chainHead : Number(await publicClient.getBlockNumber());
    const keys = orders.map((o) => [o.client, o.ref]);
    const mine = epoch;
    const { raw, hash, nonce } = await store.transaction(async (tx) => {
      if (shared) {
        // fencing: a replica whose lease ran out (a long pause) signs nothing; the row lock holds a
        // take-over back until this transaction is stored
        const [lease] = await tx.query<{ ok: boolean }>(
          "SELECT holder = $2 AND expires > clock_timestamp() AS ok FROM gw_leases WHERE signer = $1 FOR UPDATE",
          [signer, holder],
        );
        if (!lease?.ok)
          throw new LeaseLostError(`replica ${holder} no longer holds the signing lease of ${account.address}`);
      }
      let n: number;
      if (replace) n = replace.nonce;
      else {
        const [row] = await tx.query<{ nonce: number }>(
          "UPDATE gw_nonces SET next = next + 1 WHERE signer = $1 RETURNING next - 1 AS nonce",
          [signer],
        );
        n = row!.nonce;
      }
      const raw = await account.signTransaction!({
        chainId,
        type: "eip1559",
        to: ledger,
        data,
        gas,
        nonce: n,
        maxFeePerGas: maxFee,
        maxPriorityFeePerGas: tip,
      });
      const hash = keccak256(raw);
      await tx.query(
        "INSERT INTO gw_txs (hash, signer, nonce, raw, orders, max_fee, priority_fee, sent_block, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'sent')",
        [hash, signer, n, raw, JSON.stringify(keys), maxFee.toString(), tip.toString(), head],
      );
      // the orders of a transaction are in its gw_txs row; gw_orders.tx_hash is written when it is
      // mined (one write per order fewer in this transaction, which holds PGlite's only connection)
      return { raw, hash, nonce: n };
    });
    if (replace) {
      replace.hashes.push(hash);
      replace.raws.push(raw);
      Object.assign(replace, { maxFee, tip, sentBlock: head });
    } else if (mine === epoch) {
      nextNonce = nonce + 1;
      inflight.set(nonce, {
        nonce,
        hashes: [hash],
        raws: [raw],
        orders,
        data,
        gas,
        maxFee,
        tip,
        sentBlock: head,
        missing: 0,
      });
    }
    await broadcast(raw);
    return nonce;
  }

  async function broadcast(raw: Hex): Promise<void> {
    try {
      await publicClient.sendRawTransaction({ serializedTransaction: raw });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (!/already known|nonce too low|already imported|known transaction/i.test(msg)) {
        log(`broadcast failed (${msg.split("\n")[0]}); the watcher sends it again`);
      }
    }
  }

  async function failOrder(o: Pending, reason: string): Promise<void> {
    // keys whose card secrets were delivered with the order are burnt: they stay allocated to it
    const burnt = (await parameters.stock?.holdsAny(o.batchId, o.indices)) ?? false;
    if (burnt) reason += `; its ${o.indices.length} key(s) were delivered and are quarantined (never allocated again)`;
    const failed = await store.transaction(async (tx) => {
      const done = await tx.query<{ client: string; ref: string }>(
        `UPDATE gw_orders SET status = 'failed', reason = $3, tx_hash = NULL, done_ms = $4
         WHERE client = $1 AND ref = $2 AND status = 'pending' RETURNING client, ref`,
        [o.client, o.ref, reason, Date.now()],
      );
      if (done.length === 0) return false; // settled meanwhile (e.g. by the replica that signed before)
      await enqueueWebhooks(tx, "failed", done);
      if (burnt) await parameters.stock!.quarantine(o.batchId, o.indices, reason, tx);
      else await tx.query("DELETE FROM gw_allocations WHERE client = $1 AND ref = $2", [o.client, o.ref]);
      return true;
    });
    held.delete(keyOf(o));
    if (!failed) return;
    if (!burnt && !KEY_ERRORS.some((k) => reason.startsWith(k))) {
      let pool = free.get(o.batchId);
      if (!pool) free.set(o.batchId, (pool = new IntervalSet()));
      for (const i of o.indices) pool.add(i, i + 1);
    }
    log(`order ${JSON.stringify(o.ref)} of ${o.client} failed: ${reason}`);
  }

  /** When the signer loop last took orders from the queue (ms): a window is a period, not a pause. */
  let lastTake = 0;
  /** When an accepted order last joined the queue (ms): with `sendOnHead` false, a partly filled window waits for a pause. */
  let lastQueued = 0;

  async function signerLoop(): Promise<void> {
    while (!stopped) {
      if (!leader) {
        await sleep(windowMs);
        continue;
      }
      if (shared) {
        try {
          await pollOrders();
        } catch (e) {
          log(`order poll: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
        }
      }
      if (queue.length === 0) {
        await sleep(windowMs);
        continue;
      }
      // a full transaction's worth already waiting (a backlog): no need to gather longer; else the
      // orders gather for what is left of the window since the last take (the time the previous
      // transaction took to simulate, store and send counts towards it), or until a new head: sent
      // right after it, they are in the pool for the next block
      const wait = windowMs - (performance.now() - lastTake);
      if (sendOnHead) {
        if (queue.length < maxOrdersPerTx && wait > 0) await nextHeadOr(wait);
      } else {
        // bulk: a partly filled window goes out once orders stop arriving for a window's time
        while (!stopped && queue.length < maxOrdersPerTx && performance.now() - lastQueued < windowMs) {
          await sleep(windowMs - (performance.now() - lastQueued));
        }
      }
      lastTake = performance.now();
      try {
        refreshFees(); // in the background: the window goes out with the fees already read
        const take: Pending[] = [];
        let keys = 0;
        while (queue.length > 0 && take.length < maxOrdersPerTx) {
          const next = queue[0]!;
          if (take.length > 0 && keys + next.indices.length > maxKeysPerTx) break;
          take.push(queue.shift()!);
          keys += next.indices.length;
        }
        const transfers = take.filter((o) => o.kind === "transfer");
        // one sell call per sale context (API orders have none: one call, as before)
        const sales = new Map<string, Pending[]>();
        for (const o of take.filter((x) => x.kind === "sale")) {
          const k = contextKey(o.sale);
          if (!sales.has(k)) sales.set(k, []);
          sales.get(k)!.push(o);
        }
        const groups = [...sales.values()];
        for (const [g, group] of groups.entries())
          await submitThen("sale", group, [...groups.slice(g + 1).flat(), ...transfers]);
        await submit("transfer", transfers);
      } catch (e) {
        if (e instanceof LeaseLostError) standDown(e.message);
        else log(`signer loop: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
        await sleep(pollMs);
      }
    }
  }

  // ---------------------------------------------------------------- watcher
  async function receiptOf(hashes: Hex[]): Promise<TransactionReceipt | null> {
    for (const hash of [...hashes].reverse()) {
      try {
        return await publicClient.getTransactionReceipt({ hash });
      } catch (e) {
        if (!(e instanceof TransactionReceiptNotFoundError)) throw e;
      }
    }
    return null;
  }

  /**
   * Records receipts the watcher found, in one database transaction (the watcher passes one window's
   * at a time: see watch()).
   */
  async function settle(found: { f: InFlight; r: TransactionReceipt }[]): Promise<void> {
    if (found.length === 0) return;
    const good = found.filter((x) => x.r.status === "success");
    const goodOrders = good.flatMap((x) => x.f.orders.map((o) => ({ o, r: x.r })));
    const badOrders = found.filter((x) => x.r.status !== "success").flatMap((x) => x.f.orders);
    if (badOrders.length === 0) {
      // The common case in one statement (its own transaction): a transaction of several statements
      // would hold the store across round trips to this thread, and order inserts wait behind it.
      webhookWrites++;
      webhooksIdle = false;
      await store.query(SETTLE_MINED, [
        signer,
        found.map((x) => x.f.nonce),
        found.map((x) => x.r.transactionHash),
        Date.now(),
        goodOrders.map((x) => x.o.client),
        goodOrders.map((x) => x.o.ref),
        goodOrders.map((x) => x.r.transactionHash),
        goodOrders.map((x) => Number(x.r.blockNumber)),
      ]);
    } else
      await store.transaction(async (tx) => {
        await tx.query(
          `UPDATE gw_txs t SET status = CASE WHEN t.hash = x.h THEN x.s ELSE 'replaced' END
         FROM unnest($2::bigint[], $3::text[], $4::text[]) AS x(n, h, s) WHERE t.signer = $1 AND t.nonce = x.n`,
          [
            signer,
            found.map((x) => x.f.nonce),
            found.map((x) => x.r.transactionHash),
            found.map((x) => (x.r.status === "success" ? "mined" : "reverted")),
          ],
        );
        if (goodOrders.length > 0) {
          const done = await tx.query<{ client: string; ref: string }>(
            `UPDATE gw_orders o SET status = 'confirmed', tx_hash = x.h, block = x.b, done_ms = $1
           FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) AS x(c, r, h, b)
           WHERE o.client = x.c AND o.ref = x.r AND o.status = 'pending'
           RETURNING o.client, o.ref`,
            [
              Date.now(),
              goodOrders.map((x) => x.o.client),
              goodOrders.map((x) => x.o.ref),
              goodOrders.map((x) => x.r.transactionHash),
              goodOrders.map((x) => Number(x.r.blockNumber)),
            ],
          );
          await enqueueWebhooks(tx, "confirmed", done);
        }
        if (badOrders.length > 0) {
          await tx.query(
            `UPDATE gw_orders SET tx_hash = NULL, attempts = attempts + 1
           WHERE (client, ref) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND status = 'pending'`,
            [badOrders.map((o) => o.client), badOrders.map((o) => o.ref)],
          );
        }
      });
    for (const { f, r } of found) {
      const ok = r.status === "success";
      inflight.delete(f.nonce);
      if (ok) for (const o of f.orders) held.delete(keyOf(o));
      mined.push({ flight: f, hash: r.transactionHash, block: Number(r.blockNumber), blockHash: r.blockHash, ok });
      if (ok) continue;
      saleTrusted = false; // the next sale windows are simulated (and bisected) again
      log(
        `transaction ${r.transactionHash} (nonce ${f.nonce}) reverted: its ${f.orders.length} order(s) are simulated again`,
      );
      for (const o of f.orders) o.attempts++;
      const retry = f.orders.filter((o) => o.attempts < 3);
      for (const o of f.orders.filter((x) => x.attempts >= 3))
        await failOrder(o, `reverted on chain ${o.attempts} times (last ${r.transactionHash})`);
      queue.unshift(...retry);
    }
  }

  let lastHeadHash: Hex | null = null;

  /**
   * Reorgs: a transaction mined less than `reorgBlocks` ago whose receipt is gone (or moved to
   * another block) is sent again with the same nonce and data; its orders read `pending` again
   * until it is mined, then `confirmed` with the new block. Nothing new is signed, so a key is still
   * recorded once.
   */
  async function checkReorgs(): Promise<void> {
    if (mined.length === 0) return;
    const top = await publicClient.getBlock({ blockTag: "latest" });
    if (top.hash === lastHeadHash) return;
    const head = Number(top.number);
    // A block's hash commits to every block before it: when the newest block holding a watched
    // transaction is still the chain's block at that height, so are the older ones, and one read
    // replaces a receipt read per watched transaction at every new head.
    const watched = mined.filter((m) => head - m.block < reorgBlocks);
    const newest = Math.max(...watched.map((m) => m.block));
    if (watched.length > 0 && newest <= head) {
      const b = await publicClient.getBlock({ blockNumber: BigInt(newest) });
      if (watched.filter((m) => m.block === newest).every((m) => m.blockHash === b.hash)) {
        for (const m of mined.filter((x) => head - x.block >= reorgBlocks)) mined.splice(mined.indexOf(m), 1);
        lastHeadHash = top.hash;
        return;
      }
    }
    for (const m of [...mined].sort((a, b) => a.flight.nonce - b.flight.nonce)) {
      if (head - m.block >= reorgBlocks) {
        mined.splice(mined.indexOf(m), 1);
        continue;
      }
      let r: TransactionReceipt | null = null;
      try {
        r = await publicClient.getTransactionReceipt({ hash: m.hash });
      } catch (e) {
        if (!(e instanceof TransactionReceiptNotFoundError)) throw e;
      }
      if (r && r.blockHash === m.blockHash) continue;
      if (r && r.status === "success" && m.ok) {
        log(`transaction ${m.hash} (nonce ${m.flight.nonce}) moved by a reorg to block ${r.blockNumber}`);
        await store.query("UPDATE gw_orders SET block = $2 WHERE tx_hash = $1 AND status = 'confirmed'", [
          m.hash,
          Number(r.blockNumber),
        ]);
        Object.assign(m, { block: Number(r.blockNumber), blockHash: r.blockHash });
        continue;
      }
      mined.splice(mined.indexOf(m), 1);
      const f = m.flight;
      const raw = f.raws[f.hashes.indexOf(m.hash)];
      if (m.ok) {
        await store.transaction(async (tx) => {
          await tx.query("UPDATE gw_txs SET status = 'sent' WHERE hash = $1", [m.hash]);
          await tx.query(
            "UPDATE gw_orders SET status = 'pending', block = NULL, done_ms = NULL WHERE tx_hash = $1 AND status = 'confirmed'",
            [m.hash],
          );
        });
        Object.assign(f, { missing: 0, sentBlock: head });
        inflight.set(f.nonce, f);
        for (const o of f.orders) held.add(keyOf(o));
      }
      log(
        `transaction ${m.hash} (nonce ${f.nonce}) mined in block ${m.block} is no longer on chain (reorg): sent again`,
      );
      // a reverted one is sent again too, to keep the account's nonces without a gap
      if (raw) await broadcast(raw);
    }
    lastHeadHash = top.hash;
  }

  // ---------------------------------------------------------------- signed webhooks
  const webhookRetryMs = parameters.webhookRetryMs ?? 1_000;
  const webhookMaxAttempts = parameters.webhookMaxAttempts ?? 15;
  const webhookTimeoutMs = parameters.webhookTimeoutMs ?? 5_000;

  /** Writes one event per order whose client has a webhook, in the transaction of the status change. */
  async function enqueueWebhooks(
    tx: Sql,
    event: "confirmed" | "failed",
    orders: { client: string; ref: string }[],
  ): Promise<void> {
    if (orders.length === 0) return;
    webhookWrites++;
    webhooksIdle = false;
    await tx.query(
      `INSERT INTO gw_webhooks (client, ref, event, next_ms, created_ms)
       SELECT x.c, x.r, $3, $4, $4 FROM unnest($1::text[], $2::text[]) AS x(c, r)
       JOIN gw_clients k ON k.id = x.c WHERE k.webhook_url IS NOT NULL`,
      [orders.map((o) => o.client), orders.map((o) => o.ref), event, Date.now()],
    );
  }

  /** POSTs one event; true when the receiver answered 2xx. */
  async function deliver(
    w: { id: number; client: string; ref: string; event: string; created_ms: number },
    url: string,
    secret: string,
  ) {
    const order = await readOrder(store, w.client, w.ref);
    if (!order) return { ok: true, error: null }; // nothing to tell
    const { keys: _keys, ...rest } = strip(order); // receipt secrets stay in the order's own answers
    const body = JSON.stringify({
      id: `evt_${w.id}`,
      type: `order.${w.event}`,
      createdAt: Number(w.created_ms),
      order: rest,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "keytrail-gateway",
          "x-keytrail-event": `order.${w.event}`,
          "x-keytrail-delivery": `evt_${w.id}`,
          "x-keytrail-timestamp": String(timestamp),
          "x-keytrail-signature": signWebhook({ secret, timestamp, body }),
        },
        body,
        signal: AbortSignal.timeout(webhookTimeoutMs),
        redirect: "manual",
      });
      await res.body?.cancel();
      return res.ok ? { ok: true, error: null } : { ok: false, error: `HTTP ${res.status}` };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message.split("\n")[0]! : String(e) };
    }
  }

  /** No webhook event is pending (known only to a gateway alone on its store): the loop skips its poll. */
  let webhooksIdle = false;
  /** Events written so far (any status change with webhooks), to tell a poll an event came meanwhile. */
  let webhookWrites = 0;

  /** The signing replica delivers due events: 2xx = delivered; else retried with doubling delays, then dead. */
  async function webhookLoop(): Promise<void> {
    while (!stopped) {
      await sleep(Math.min(pollMs, 500));
      if (!leader || webhooksIdle) continue;
      try {
        const due = await store.query<{
          id: number;
          client: string;
          ref: string;
          event: string;
          attempts: number;
          created_ms: number;
          webhook_url: string | null;
          webhook_secret: string | null;
        }>(
          `SELECT w.id, w.client, w.ref, w.event, w.attempts, w.created_ms, k.webhook_url, k.webhook_secret
           FROM gw_webhooks w JOIN gw_clients k ON k.id = w.client
           WHERE w.status = 'pending' AND w.next_ms <= $1 ORDER BY w.id LIMIT 100`,
          [Date.now()],
        );
        // alone on its store, the gateway writes every event itself: with none pending, it stops
        // polling until it writes one (replicas on PostgreSQL keep polling: the others write too)
        if (due.length === 0 && !shared) {
          const writes = webhookWrites;
          const pending = await store.query("SELECT 1 FROM gw_webhooks WHERE status = 'pending' LIMIT 1");
          // an event written meanwhile (its transaction may commit after this read) keeps the loop polling
          webhooksIdle = pending.length === 0 && writes === webhookWrites;
        }
        await Promise.all(
          due.map(async (w) => {
            const got =
              w.webhook_url && w.webhook_secret
                ? await deliver(w, w.webhook_url, openWebhookSecret(w.client, w.webhook_secret))
                : { ok: false, error: "the client has no webhook any more" };
            const attempts = w.attempts + 1;
            const dead = !got.ok && (attempts >= webhookMaxAttempts || !w.webhook_url);
            const delay = Math.min(webhookRetryMs * 2 ** (attempts - 1), 3_600_000);
            await store.query(
              `UPDATE gw_webhooks SET status = $2, attempts = $3, next_ms = $4, last_error = $5,
               done_ms = CASE WHEN $2 = 'pending' THEN NULL ELSE $6::bigint END WHERE id = $1`,
              [
                w.id,
                got.ok ? "delivered" : dead ? "dead" : "pending",
                attempts,
                Date.now() + delay,
                got.error,
                Date.now(),
              ],
            );
            if (!got.ok)
              log(
                `webhook evt_${w.id} (order.${w.event} of ${JSON.stringify(w.ref)}) to client ${w.client}: ${got.error}; ` +
                  (dead ? `given up after ${attempts} attempt(s)` : `retry in ${delay} ms`),
              );
          }),
        );
      } catch (e) {
        log(`webhooks: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
      }
    }
  }

  function openWebhookSecret(client: string, stored: string): string {
    return `whsec_${box.open(stored, `webhook:${client}`).slice(2)}`;
  }

  async function watch(): Promise<void> {
    while (!stopped) {
      await nextHeadOr(pollMs);
      if (!leader || (inflight.size === 0 && mined.length === 0)) continue;
      try {
        await checkReorgs();
        const head = chainHead >= 0 ? chainHead : Number(await publicClient.getBlockNumber());
        const chainNonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "latest" });
        // Fees read once per pass, for every transaction it replaces.
        let fees: Promise<{ maxFee: bigint; tip: bigint }> | null = null;
        let firstError: unknown = null;
        const flights = [...inflight.values()].sort((a, b) => a.nonce - b.nonce);
        // The receipts of every mined nonce, read at once; one transaction's failed read (an RPC
        // fault) does not hold up the others: with many in flight, a pass that stopped at the first
        // fault would rarely reach the higher nonces.
        type Read = { receipt: TransactionReceipt | null } | { error: unknown };
        const receipts = new Map<number, Read>(
          await Promise.all(
            flights
              .filter((f) => f.nonce < chainNonce)
              .map(async (f): Promise<[number, Read]> => {
                try {
                  return [f.nonce, { receipt: await receiptOf(f.hashes) }];
                } catch (error) {
                  return [f.nonce, { error }];
                }
              }),
          ),
        );
        const found: { f: InFlight; r: TransactionReceipt }[] = [];
        for (const f of flights) {
          const read = receipts.get(f.nonce);
          if (read && "receipt" in read && read.receipt) found.push({ f, r: read.receipt });
        }
        // one database transaction per window, not one for the whole block: an order's group insert
        // waits behind at most one window's settlement (a block's in one statement held the store
        // for the whole block's orders and set the answer's tail)
        for (const x of found) {
          try {
            await settle([x]);
          } catch (e) {
            if (e instanceof LeaseLostError) throw e;
            firstError ??= e;
          }
        }
        for (const f of flights) {
          if (!inflight.has(f.nonce)) continue; // settled above
          try {
            const read = receipts.get(f.nonce);
            if (read) {
              if ("error" in read) throw read.error;
              if (read.receipt) continue; // found, but its settlement failed: the next pass again
              if (++f.missing >= 20) {
                log(`nonce ${f.nonce} was used by a transaction the outbox does not know: its orders go out again`);
                await store.query("UPDATE gw_txs SET status = 'lost' WHERE signer = $1 AND nonce = $2", [
                  signer,
                  f.nonce,
                ]);
                inflight.delete(f.nonce);
                queue.unshift(...f.orders);
              }
            } else if (head - f.sentBlock >= stuckBlocks) {
              fees ??= currentFees();
              const now = await fees.catch((e: unknown) => {
                fees = null;
                throw e;
              });
              const bump = (x: bigint) => (x * 1125n) / 1000n + 1n;
              const maxFee = bump(f.maxFee) > now.maxFee ? bump(f.maxFee) : now.maxFee;
              const tip = bump(f.tip) > now.tip ? bump(f.tip) : now.tip;
              log(`nonce ${f.nonce} not mined after ${head - f.sentBlock} blocks: replaced with fees +12.5%`);
              await sign(f.orders, f.data, f.gas, maxFee, tip, f);
            }
          } catch (e) {
            if (e instanceof LeaseLostError) throw e;
            firstError ??= e;
          }
        }
        if (firstError) throw firstError;
      } catch (e) {
        if (e instanceof LeaseLostError) standDown(e.message);
        else log(`watcher: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
      }
    }
  }

  if (!shared) await takeOver();
  else if ((await store.query(ACQUIRE_LEASE, [signer, holder, leaseMs])).length > 0) {
    lastRenewed = Date.now();
    await takeOver(); // at start its errors (e.g. a missing secrets key) stop the gateway
  } else log(`replica ${holder}: standby (another replica signs for ${account.address}); accepts orders`);
  const loops = [headLoop(), signerLoop(), watch(), webhookLoop(), ...(shared ? [leaseLoop()] : [])];
  log(
    `gateway: signer ${account.address}, ledger ${ledger} (v2), chain ${chainId}, ` +
      (leader ? `next nonce ${nextNonce}` : "standby"),
  );

  return {
    account: account.address,
    ledger,
    chainId,
    authenticate(apiKey) {
      return clients.get(hashApiKey(apiKey)) ?? null;
    },
    async addClient(client, apiKey, scopes, webhook) {
      const keyHash = hashApiKey(apiKey);
      let url: string | null = null;
      let sealed: string | null = null;
      if (webhook) {
        url = checkWebhookUrl(webhook.url);
        if (!/^whsec_[0-9a-f]{64}$/.test(webhook.secret))
          throw new GatewayConfigError(`The webhook secret of client ${client} is not "whsec_" and 64 hex digits.`);
        sealed = box.seal(`0x${webhook.secret.slice(6)}`, `webhook:${client}`);
      }
      await store.query(
        `INSERT INTO gw_clients (id, key_hash, scopes, webhook_url, webhook_secret) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET key_hash = $2, scopes = $3, webhook_url = $4, webhook_secret = $5`,
        [client, keyHash, scopes.join(","), url, sealed],
      );
      for (const [h, c] of clients) if (c.client === client) clients.delete(h);
      clients.set(keyHash, { client, scopes: new Set(scopes) });
    },
    placeOrder,
    notFree(batchId, start, end) {
      const all: number[] = [];
      for (let i = start; i < end; i++) all.push(i);
      return toRanges(notFreeOf(free.get(batchId.toLowerCase() as Hex), all));
    },
    async getOrder(client, orderReference) {
      const a = await readOrder(store, client, orderReference);
      if (!a)
        throw new GatewayError(
          404,
          "ORDER_NOT_FOUND",
          `No order with reference ${JSON.stringify(orderReference)} for client ${client}.`,
        );
      return strip(a);
    },
    stats: () => ({ queued: queue.length, inFlight: inflight.size, nextNonce, signing: leader }),
    async stop() {
      stopped = true;
      await Promise.allSettled(loops);
      // a clean stop hands the lease over at once (a crash leaves it to run out)
      if (shared && leader)
        await store
          .query("DELETE FROM gw_leases WHERE signer = $1 AND holder = $2", [signer, holder])
          .catch(() => undefined);
      leader = false;
    },
  };
}

/** The revert data (custom error selector and arguments) somewhere in an error's cause chain. */
function findRevertData(e: unknown): Hex | undefined {
  for (let x: unknown = e, depth = 0; x && depth < 10; x = (x as { cause?: unknown }).cause, depth++) {
    const data = (x as { data?: unknown }).data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(data)) return data as Hex;
    if (x instanceof RawContractError && typeof x.data === "object" && typeof x.data?.data === "string")
      return x.data.data;
  }
  return undefined;
}

function parseRaw(raw: Hex): { data: Hex; gas: bigint } {
  const t = parseTransaction(raw);
  return { data: t.data ?? "0x", gas: t.gas ?? 0n };
}

/** Takes the named keys (sorted) out of the pool when every one is free, else null (pool unchanged). */
function takeNamed(pool: IntervalSet | undefined, named: number[]): number[] | null {
  if (!pool || notFreeOf(pool, named).length > 0) return null;
  for (const [s, e] of toRanges(named)) pool.remove(s, e);
  return named;
}

/** The named keys (sorted) that are not in the pool. */
function notFreeOf(pool: IntervalSet | undefined, named: readonly number[]): number[] {
  if (!pool) return [...named];
  const out: number[] = [];
  let r = 0;
  const ranges = pool.ranges;
  for (const i of named) {
    while (r < ranges.length && ranges[r]![1] <= i) r++;
    if (r >= ranges.length || ranges[r]![0] > i) out.push(i);
  }
  return out;
}

function formatRanges(indices: readonly number[]): string {
  const shown = toRanges(indices).map(([s, e]) => (e - s === 1 ? `${s}` : `${s}-${e - 1}`));
  return shown.length > 5 ? `${shown.slice(0, 5).join(", ")} and ${shown.length - 5} more range(s)` : shown.join(", ");
}

/** A sell call's context from its orders' terms (zero for API orders). */
function contextOf(json: string | null) {
  const t = saleOf(json);
  const zero = `0x${"0".repeat(64)}` as Hex;
  return t
    ? { store: t.store, terminal: t.terminal, amount: BigInt(t.amount), currency: t.currency }
    : { store: zero, terminal: zero, amount: 0n, currency: "0x000000" as Hex };
}

/**
 * A transferMany's memo: zero when no order has one; keccak256 of the text when all orders share
 * one; else keccak256 of the orders' texts joined by a line break (an order without a memo adds an
 * empty line), in queue order.
 */
function memoOf(orders: readonly Pending[]): Hex {
  const texts = orders.map((o) => o.memo ?? "");
  if (texts.every((t) => t === "")) return `0x${"0".repeat(64)}`;
  const distinct = new Set(texts);
  return keccak256(toHex(distinct.size === 1 ? texts[0]! : texts.join("\n")));
}

function toPending(
  client: string,
  ref: string,
  kind: "sale" | "transfer",
  batchId: Hex,
  indices: number[],
  to: Address | null,
  secretOf: (index: number) => Hex,
  attempts: number,
  memo: string | null,
  sale: string | null = null,
): Pending {
  const commitments: Hex[] = [];
  const orderRefs: Hex[] = [];
  if (kind === "sale") {
    for (const index of indices) {
      const secret = secretOf(index);
      commitments.push(computeReceiptCommitment({ batchId, index, secret }));
      orderRefs.push(computeOrderRefHash({ orderReference: saleOf(sale)?.orderReference ?? ref, secret }));
    }
  }
  return { client, ref, kind, batchId, indices, to, memo, sale, commitments, orderRefs, attempts };
}

/** What a stored receipt secret is bound to (its order and key). */
function secretContext(client: string, ref: string, index: number): string {
  return JSON.stringify([client, ref, index]);
}

function describe(r: { kind: string; quantity: number; batchId: Hex; to?: Address | null | undefined }): string {
  return `${r.kind} of ${r.quantity} key(s) of batch ${r.batchId}${r.to ? ` to ${r.to}` : ""}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
