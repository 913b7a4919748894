/** A live `newHeads` subscription. */
export type NewHeadsSubscription = {
  /** Resolves once the node confirmed the subscription; rejects when it could not be made. */
  ready: Promise<void>;
  /** Whether the socket is still open. */
  alive(): boolean;
  close(): void;
};

/** Parameters of {@link subscribeNewHeads}. */
export type SubscribeNewHeadsParameters = {
  /** Called with each new head's block number. */
  onHead: (blockNumber: number) => void;
  /** Called once when the subscription fails or the socket closes. */
  onClose?: ((reason: string) => void) | undefined;
  /** Time allowed for connecting and subscribing (default 5,000 ms). */
  timeoutMs?: number | undefined;
};

/**
 * Subscribes to new block headers over a JSON-RPC WebSocket (`eth_subscribe ["newHeads"]`), with
 * the WebSocket client built into Node >= 22. Used only to wake the indexer early: the indexer
 * still reads blocks and logs over HTTP and keeps polling, so a lost socket costs latency, never
 * data.
 *
 * @param url - `ws://` or `wss://` URL of the node.
 * @param parameters - callbacks and time-out.
 * @returns the subscription.
 * @example
 * const sub = subscribeNewHeads("ws://127.0.0.1:8545", { onHead: (n) => wake() });
 * await sub.ready;
 */
export function subscribeNewHeads(url: string, parameters: SubscribeNewHeadsParameters): NewHeadsSubscription {
  let open = false;
  let closed = false;
  let ws: WebSocket;
  try {
    ws = new WebSocket(url);
  } catch (e) {
    closed = true;
    const ready = Promise.reject(
      new Error(`WebSocket ${JSON.stringify(url)} could not be opened: ${(e as Error).message}`),
    );
    ready.catch(() => undefined);
    return { ready, alive: () => false, close: () => undefined };
  }
  const finish = (reason: string) => {
    if (closed) return;
    closed = true;
    open = false;
    try {
      ws.close();
    } catch {
      // already closed
    }
    parameters.onClose?.(reason);
  };
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no newHeads subscription from ${url} within ${parameters.timeoutMs ?? 5000} ms`));
      finish("time-out");
    }, parameters.timeoutMs ?? 5000);
    ws.onopen = () => ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
    ws.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`WebSocket ${url} failed`));
      finish("socket error");
    };
    ws.onclose = () => {
      clearTimeout(timer);
      reject(new Error(`WebSocket ${url} closed`));
      finish("socket closed");
    };
    ws.onmessage = (m: MessageEvent) => {
      let msg: {
        id?: number;
        result?: unknown;
        error?: { message?: string };
        method?: string;
        params?: { result?: { number?: string } };
      };
      try {
        msg = JSON.parse(String(m.data)) as typeof msg;
      } catch {
        return;
      }
      if (msg.id === 1) {
        clearTimeout(timer);
        if (msg.error || typeof msg.result !== "string") {
          reject(new Error(`${url} refused eth_subscribe newHeads: ${msg.error?.message ?? "no subscription id"}`));
          finish("subscription refused");
          return;
        }
        open = true;
        resolve();
        return;
      }
      const n = msg.method === "eth_subscription" ? msg.params?.result?.number : undefined;
      if (typeof n === "string" && /^0x[0-9a-f]+$/i.test(n)) parameters.onHead(Number.parseInt(n, 16));
    };
  });
  ready.catch(() => undefined);
  return { ready, alive: () => open && !closed, close: () => finish("closed by the indexer") };
}
