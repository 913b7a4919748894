import { createHash } from "node:crypto";
import {
  RawContractError,
  decodeErrorResult,
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
import { IntervalSet, toRanges } from "./holdings/IntervalSet.js";
import { loadHoldings } from "./holdings/loadHoldings.js";
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
};

/** One order waiting for (or inside) a transaction. */
type Pending = {
  client: string;
  ref: string;
  kind: "sale" | "transfer";
  batchId: Hex;
  indices: number[];
  to: Address | null;
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
  createdMs: number;
};

/**
 * Inserts a group of orders with their allocations and receipt secrets in one statement (so one
 * commit): a reference already taken is skipped (ON CONFLICT) with its allocations and secrets; the
 * statement returns the orders it inserted.
 */
const INSERT_ORDERS = `
WITH o AS (
  INSERT INTO gw_orders (client, ref, body_hash, signer, kind, batch_id, quantity, recipient, buyer, status, indices, created_ms)
  SELECT c, r, h, $1, k, b, q, t, y, 'pending', i, m
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[], $10::text[],
              $11::bigint[]) AS x(c, r, h, k, b, q, t, y, i, m)
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
};

/** Why an order failed for reasons tied to its keys (they are not given back to the pool). */
const KEY_ERRORS = ["KeyLedgerRangeNotHeld", "KeyLedgerRangeFrozen", "KeyLedgerAlreadySold", "KeyLedgerKeyRedeemed"];

/** The running gateway engine (the HTTP layer is createGatewayApp). */
export type Gateway = {
  readonly account: Address;
  readonly ledger: Address;
  readonly chainId: number;
  /** The client and scopes of an API key, or null. */
  authenticate(apiKey: string): { client: string; scopes: ReadonlySet<GatewayScope> } | null;
  /** Adds or replaces a client (its key is stored as a sha256). */
  addClient(client: string, apiKey: string, scopes: readonly GatewayScope[]): Promise<void>;
  /** Accepts an order (or answers a repeated reference with the first answer). */
  placeOrder(client: string, request: OrderRequest): Promise<{ created: boolean; answer: OrderAnswer }>;
  /** The current answer about one of the client's orders. */
  getOrder(client: string, orderReference: string): Promise<OrderAnswer>;
  /** Orders queued, transactions in flight, next nonce. */
  stats(): { queued: number; inFlight: number; nextNonce: number };
  /** Stops the loops (in-flight transactions stay in the outbox for the next start). */
  stop(): Promise<void>;
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
export function hashOrderRequest(r: OrderRequest): string {
  const canonical = JSON.stringify([
    r.kind,
    r.batchId.toLowerCase(),
    r.quantity,
    r.to?.toLowerCase() ?? null,
    r.buyer ?? null,
  ]);
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
  const maxOrdersPerTx = parameters.maxOrdersPerTx ?? 100;
  const maxQuantity = parameters.maxQuantity ?? 100;
  const maxKeysPerTx = parameters.maxKeysPerTx ?? 2_000;
  const stuckBlocks = parameters.stuckBlocks ?? 3;
  const pollMs = parameters.pollMs ?? 500;
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

  // ---------------------------------------------------------------- outbox reconciliation
  const head0 = await publicClient.getBlockNumber();
  const chainNonce0 = await publicClient.getTransactionCount({ address: account.address, blockTag: "latest" });
  const pendingNonce0 = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
  await store.query(
    `INSERT INTO gw_nonces (signer, next) VALUES ($1, $2)
     ON CONFLICT (signer) DO UPDATE SET next = GREATEST(gw_nonces.next, EXCLUDED.next)`,
    [signer, Math.max(chainNonce0, pendingNonce0)],
  );
  const [nonceRow] = await store.query<{ next: number }>("SELECT next FROM gw_nonces WHERE signer = $1", [signer]);
  let nextNonce = nonceRow!.next;

  const openRows = await store.query<OrderRow>(
    "SELECT * FROM gw_orders WHERE signer = $1 AND status = 'pending' ORDER BY seq",
    [signer],
  );
  const secretRows = openRows.length
    ? await store.query<{ client: string; ref: string; idx: number; secret: Hex }>(
        `SELECT s.client, s.ref, s.idx, s.secret FROM gw_secrets s JOIN gw_orders o ON o.client = s.client AND o.ref = s.ref
         WHERE o.signer = $1 AND o.status = 'pending'`,
        [signer],
      )
    : [];
  const secretsOf = new Map<string, Map<number, Hex>>();
  for (const s of secretRows) {
    const k = `${s.client}\u0000${s.ref}`;
    if (!secretsOf.has(k)) secretsOf.set(k, new Map());
    secretsOf.get(k)!.set(s.idx, box.open(s.secret, secretContext(s.client, s.ref, s.idx)));
  }
  const pendingOf = new Map<string, Pending>();
  for (const o of openRows) {
    const secrets = secretsOf.get(`${o.client}\u0000${o.ref}`) ?? new Map<number, Hex>();
    const indices = JSON.parse(o.indices) as number[];
    pendingOf.set(
      `${o.client}\u0000${o.ref}`,
      toPending(o.client, o.ref, o.kind, o.batch_id, indices, o.recipient, (i) => secrets.get(i)!, o.attempts),
    );
  }

  const inflight = new Map<number, InFlight>();
  const txRows = await store.query<{
    hash: Hex;
    nonce: number;
    raw: Hex;
    orders: string;
    max_fee: string;
    priority_fee: string;
    sent_block: number;
  }>(
    "SELECT hash, nonce, raw, orders, max_fee, priority_fee, sent_block FROM gw_txs WHERE signer = $1 AND status = 'sent' ORDER BY nonce, max_fee::numeric",
    [signer],
  );
  const inTx = new Set<string>();
  for (const t of txRows) {
    let f = inflight.get(t.nonce);
    const keys = JSON.parse(t.orders) as [string, string][];
    if (!f) {
      const orders = keys.map(([c, r]) => pendingOf.get(`${c}\u0000${r}`)).filter((p): p is Pending => p !== undefined);
      f = {
        nonce: t.nonce,
        hashes: [],
        orders,
        data: "0x",
        gas: 0n,
        maxFee: 0n,
        tip: 0n,
        sentBlock: t.sent_block,
        missing: 0,
      };
      inflight.set(t.nonce, f);
    }
    for (const [c, r] of keys) inTx.add(`${c}\u0000${r}`);
    f.hashes.push(t.hash);
    f.maxFee = BigInt(t.max_fee);
    f.tip = BigInt(t.priority_fee);
    const tx = parseRaw(t.raw);
    f.data = tx.data;
    f.gas = tx.gas;
    if (t.nonce >= chainNonce0) {
      f.sentBlock = Number(head0);
      await broadcast(t.raw);
    }
  }
  const queue: Pending[] = [...pendingOf.entries()].filter(([k]) => !inTx.has(k)).map(([, p]) => p);
  if (txRows.length || queue.length)
    log(`outbox: ${inflight.size} transaction(s) in flight, ${queue.length} order(s) re-queued`);

  // ---------------------------------------------------------------- holdings
  const free = await loadHoldings({
    publicClient,
    ledger,
    account: account.address,
    fromBlock: parameters.fromBlock,
    toBlock: head0,
  });
  for (const a of await store.query<{ batch_id: Hex; idx: number }>(
    "SELECT batch_id, idx FROM gw_allocations WHERE signer = $1",
    [signer],
  )) {
    free.get(a.batch_id)?.remove(a.idx, a.idx + 1);
  }
  let freeKeys = 0;
  for (const s of free.values()) freeKeys += s.size;
  log(`holdings: ${freeKeys} free key(s) in ${free.size} batch(es) of ${account.address} (read to block ${head0})`);
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

  /** (client, reference) pairs known to be in the store: a repeat skips the allocation. */
  const existing = new Set<string>();
  /** Orders waiting for the next group insert (one statement for all, so a burst costs one commit). */
  let inserts: { row: NewOrder; done: (inserted: boolean) => void; fail: (e: unknown) => void }[] = [];
  let flushing = false;

  function insertOrder(row: NewOrder): Promise<boolean> {
    return new Promise((done, fail) => {
      inserts.push({ row, done, fail });
      if (!flushing) void flushInserts();
    });
  }

  async function flushInserts(): Promise<void> {
    flushing = true;
    while (inserts.length > 0) {
      const group = inserts;
      inserts = [];
      const rows = group.map((g) => g.row);
      const sales = rows.flatMap((r) => r.secrets.map((secret, k) => ({ r, idx: r.indices[k]!, secret })));
      try {
        const got = await store.query<{ client: string; ref: string }>(INSERT_ORDERS, [
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
        ]);
        const ok = new Set(got.map((g) => `${g.client}\u0000${g.ref}`));
        for (const g of group) g.done(ok.has(`${g.row.client}\u0000${g.row.ref}`));
      } catch (e) {
        for (const g of group) g.fail(e);
      }
    }
    flushing = false;
  }

  async function placeOrder(client: string, request: OrderRequest) {
    const ref = request.orderReference;
    const bodyHash = hashOrderRequest(request);
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
      const indices = pool?.take(request.quantity) ?? null;
      if (!indices) {
        const seen = await repeat();
        if (seen) return seen;
        throw new GatewayError(
          409,
          "INSUFFICIENT_KEYS",
          `Order ${JSON.stringify(ref)} asks ${request.quantity} key(s) of batch ${batchId}; account ${account.address} ` +
            `has ${pool?.size ?? 0} free key(s) of it.`,
        );
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
        createdMs: Date.now(),
      };
      let inserted: boolean;
      try {
        inserted = await insertOrder(row);
      } catch (e) {
        for (const i of indices) pool!.add(i, i + 1);
        throw e;
      }
      existing.add(known);
      if (!inserted) {
        for (const i of indices) pool!.add(i, i + 1);
        return (await repeat())!; // the reference was taken first (another replica, or before a restart)
      }
      const p = toPending(
        client,
        ref,
        request.kind,
        batchId,
        indices,
        request.to ?? null,
        (i) => secrets[indices.indexOf(i)]!,
        0,
      );
      queue.push(p);
      const answer: OrderAnswer = {
        orderReference: ref,
        kind: row.kind,
        status: "pending",
        batchId,
        quantity: row.quantity,
        indices,
        seller: account.address,
        to: row.to,
        buyer: row.buyer,
        ledger,
        chainId,
        keys: secrets.map((secret, k) => ({
          batchId,
          index: indices[k]!,
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

  function callOf(kind: "sale" | "transfer", orders: Pending[]): Hex {
    if (kind === "transfer") {
      const items = orders.flatMap((o) =>
        toRanges(o.indices).map(([s, e]) => ({ batchId: o.batchId, start: BigInt(s), end: BigInt(e), to: o.to! })),
      );
      return encodeFunctionData({
        abi: keyLedgerV2Abi,
        functionName: "transferMany",
        args: [items, `0x${"0".repeat(64)}`],
      });
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
    const zero = `0x${"0".repeat(64)}` as Hex;
    return encodeFunctionData({
      abi: keyLedgerV2Abi,
      functionName: "sell",
      args: [groups, { store: zero, terminal: zero, amount: 0n, currency: "0x000000" }],
    });
  }

  async function simulate(data: Hex): Promise<bigint> {
    return publicClient.estimateGas({ account: account.address, to: ledger, data });
  }

  /** Simulates the orders' call; bisects on a revert so each bad order fails alone; signs and sends the rest. */
  async function submit(kind: "sale" | "transfer", orders: Pending[]): Promise<void> {
    if (orders.length === 0) return;
    const began = performance.now();
    const data = callOf(kind, orders);
    let gas: bigint;
    try {
      gas = await simulate(data);
    } catch (e) {
      const { reason, refused } = decodeRevertOf(e, kind, orders);
      if (!refused) {
        log(`simulation failed (${reason}); ${orders.length} order(s) wait for the next window`);
        queue.unshift(...orders);
        await sleep(pollMs);
        return;
      }
      if (orders.length === 1) return failOrder(orders[0]!, reason);
      const mid = Math.ceil(orders.length / 2);
      await submit(kind, orders.slice(0, mid));
      await submit(kind, orders.slice(mid));
      return;
    }
    const simulated = performance.now();
    gas = (gas * 12n) / 10n + 20_000n;
    fees ??= await currentFees();
    const nonce = await sign(orders, data, gas, fees.maxFee, fees.tip, null);
    const keys = orders.reduce((n, o) => n + o.indices.length, 0);
    log(
      `sent nonce ${nonce}: ${kind} of ${keys} key(s) for ${orders.length} order(s) ` +
        `(simulated in ${Math.round(simulated - began)} ms, stored and sent in ${Math.round(performance.now() - simulated)} ms)`,
    );
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
    const head = Number(await publicClient.getBlockNumber());
    const keys = orders.map((o) => [o.client, o.ref]);
    const { raw, hash, nonce } = await store.transaction(async (tx) => {
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
      await tx.query(
        "UPDATE gw_orders SET tx_hash = $1 WHERE (client, ref) IN (SELECT * FROM unnest($2::text[], $3::text[]))",
        [hash, orders.map((o) => o.client), orders.map((o) => o.ref)],
      );
      return { raw, hash, nonce: n };
    });
    if (replace) {
      replace.hashes.push(hash);
      Object.assign(replace, { maxFee, tip, sentBlock: head });
    } else {
      nextNonce = nonce + 1;
      inflight.set(nonce, { nonce, hashes: [hash], orders, data, gas, maxFee, tip, sentBlock: head, missing: 0 });
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
    await store.transaction(async (tx) => {
      await tx.query(
        "UPDATE gw_orders SET status = 'failed', reason = $3, tx_hash = NULL, done_ms = $4 WHERE client = $1 AND ref = $2",
        [o.client, o.ref, reason, Date.now()],
      );
      await tx.query("DELETE FROM gw_allocations WHERE client = $1 AND ref = $2", [o.client, o.ref]);
    });
    if (!KEY_ERRORS.some((k) => reason.startsWith(k))) {
      let pool = free.get(o.batchId);
      if (!pool) free.set(o.batchId, (pool = new IntervalSet()));
      for (const i of o.indices) pool.add(i, i + 1);
    }
    log(`order ${JSON.stringify(o.ref)} of ${o.client} failed: ${reason}`);
  }

  async function signerLoop(): Promise<void> {
    while (!stopped) {
      if (queue.length === 0) {
        await sleep(windowMs);
        continue;
      }
      // a full transaction's worth already waiting (a backlog): no need to gather longer
      if (queue.length < maxOrdersPerTx) await sleep(windowMs);
      try {
        fees = await currentFees();
        const take: Pending[] = [];
        let keys = 0;
        while (queue.length > 0 && take.length < maxOrdersPerTx) {
          const next = queue[0]!;
          if (take.length > 0 && keys + next.indices.length > maxKeysPerTx) break;
          take.push(queue.shift()!);
          keys += next.indices.length;
        }
        await submit(
          "sale",
          take.filter((o) => o.kind === "sale"),
        );
        await submit(
          "transfer",
          take.filter((o) => o.kind === "transfer"),
        );
      } catch (e) {
        log(`signer loop: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
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

  async function settle(f: InFlight, r: TransactionReceipt): Promise<void> {
    const clientsOf = f.orders.map((o) => o.client);
    const refsOf = f.orders.map((o) => o.ref);
    const ok = r.status === "success";
    await store.transaction(async (tx) => {
      await tx.query(
        "UPDATE gw_txs SET status = CASE WHEN hash = $3 THEN $4 ELSE 'replaced' END WHERE signer = $1 AND nonce = $2",
        [signer, f.nonce, r.transactionHash, ok ? "mined" : "reverted"],
      );
      if (ok) {
        await tx.query(
          `UPDATE gw_orders SET status = 'confirmed', tx_hash = $1, block = $2, done_ms = $3
           WHERE (client, ref) IN (SELECT * FROM unnest($4::text[], $5::text[])) AND status = 'pending'`,
          [r.transactionHash, Number(r.blockNumber), Date.now(), clientsOf, refsOf],
        );
      } else {
        await tx.query(
          `UPDATE gw_orders SET tx_hash = NULL, attempts = attempts + 1
           WHERE (client, ref) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND status = 'pending'`,
          [clientsOf, refsOf],
        );
      }
    });
    inflight.delete(f.nonce);
    if (!ok) {
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

  async function watch(): Promise<void> {
    while (!stopped) {
      await sleep(pollMs);
      if (inflight.size === 0) continue;
      try {
        const head = Number(await publicClient.getBlockNumber());
        const chainNonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "latest" });
        for (const f of [...inflight.values()].sort((a, b) => a.nonce - b.nonce)) {
          if (f.nonce < chainNonce) {
            const r = await receiptOf(f.hashes);
            if (r) await settle(f, r);
            else if (++f.missing >= 20) {
              log(`nonce ${f.nonce} was used by a transaction the outbox does not know: its orders go out again`);
              await store.query("UPDATE gw_txs SET status = 'lost' WHERE signer = $1 AND nonce = $2", [
                signer,
                f.nonce,
              ]);
              inflight.delete(f.nonce);
              queue.unshift(...f.orders);
            }
          } else if (head - f.sentBlock >= stuckBlocks) {
            const now = await currentFees();
            const bump = (x: bigint) => (x * 1125n) / 1000n + 1n;
            const maxFee = bump(f.maxFee) > now.maxFee ? bump(f.maxFee) : now.maxFee;
            const tip = bump(f.tip) > now.tip ? bump(f.tip) : now.tip;
            log(`nonce ${f.nonce} not mined after ${head - f.sentBlock} blocks: replaced with fees +12.5%`);
            await sign(f.orders, f.data, f.gas, maxFee, tip, f);
          }
        }
      } catch (e) {
        log(`watcher: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
      }
    }
  }

  const loops = [signerLoop(), watch()];
  log(`gateway: signer ${account.address}, ledger ${ledger} (v2), chain ${chainId}, next nonce ${nextNonce}`);

  return {
    account: account.address,
    ledger,
    chainId,
    authenticate(apiKey) {
      return clients.get(hashApiKey(apiKey)) ?? null;
    },
    async addClient(client, apiKey, scopes) {
      const keyHash = hashApiKey(apiKey);
      await store.query(
        "INSERT INTO gw_clients (id, key_hash, scopes) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET key_hash = $2, scopes = $3",
        [client, keyHash, scopes.join(",")],
      );
      for (const [h, c] of clients) if (c.client === client) clients.delete(h);
      clients.set(keyHash, { client, scopes: new Set(scopes) });
    },
    placeOrder,
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
    stats: () => ({ queued: queue.length, inFlight: inflight.size, nextNonce }),
    async stop() {
      stopped = true;
      await Promise.allSettled(loops);
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

function toPending(
  client: string,
  ref: string,
  kind: "sale" | "transfer",
  batchId: Hex,
  indices: number[],
  to: Address | null,
  secretOf: (index: number) => Hex,
  attempts: number,
): Pending {
  const commitments: Hex[] = [];
  const orderRefs: Hex[] = [];
  if (kind === "sale") {
    for (const index of indices) {
      const secret = secretOf(index);
      commitments.push(computeReceiptCommitment({ batchId, index, secret }));
      orderRefs.push(computeOrderRefHash({ orderReference: ref, secret }));
    }
  }
  return { client, ref, kind, batchId, indices, to, commitments, orderRefs, attempts };
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
