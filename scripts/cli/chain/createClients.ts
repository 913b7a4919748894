import { createPublicClient, defineChain, fallback, http, type Chain, type PublicClient, type Transport } from "viem";
import { RPC_CHECK_HINT, RpcUnreachableError } from "../errors.js";

/** A public client bound to one chain, with the transport reused for wallet clients. */
export type Clients = {
  publicClient: PublicClient<Transport, Chain>;
  transport: Transport;
  chain: Chain;
  chainId: number;
  /** The URLs tried, in order (named in error messages). */
  rpcUrls: readonly string[];
};

/** Parameters of {@link createClients}. */
export type CreateClientsParameters = {
  rpcUrls: readonly string[];
  /** Network name shown in messages. */
  network?: string | undefined;
  /** Attempts after the first for each request (bounded; exponential backoff). */
  retryCount?: number | undefined;
  /** Base backoff delay in ms (doubles each retry). */
  retryDelay?: number | undefined;
  /** Per-request timeout in ms. */
  timeout?: number | undefined;
  /** Where the URLs came from, for the hint of an unreachable RPC (e.g. "the URL given with --rpc"). */
  source?: string | undefined;
  /** The first URL's chain id when the caller has just asked it (`eth_chainId` is then not asked again). */
  knownChainId?: number | undefined;
};

/**
 * Connects to a JSON-RPC endpoint (or several, tried in order), asks its chain id and returns a
 * public client for that chain. Every request is retried a bounded number of times with
 * exponential backoff; if the endpoint never answers, {@link RpcUnreachableError} names the URL.
 *
 * @param parameters - see {@link CreateClientsParameters}.
 * @returns the {@link Clients}.
 * @example
 * const { publicClient, chainId } = await createClients({ rpcUrls: ["http://127.0.0.1:8545"] });
 */
export async function createClients(parameters: CreateClientsParameters): Promise<Clients> {
  const { rpcUrls } = parameters;
  const retryCount = parameters.retryCount ?? Number(process.env.KEYTRAIL_RPC_RETRIES ?? 3);
  const retryDelay = parameters.retryDelay ?? 250;
  const timeout = parameters.timeout ?? 20_000;
  const transports = rpcUrls.map((url) => http(url, { retryCount, retryDelay, timeout, batch: false }));
  const transport: Transport = transports.length === 1 ? transports[0]! : fallback(transports, { retryCount: 0 });
  let chainId: number;
  try {
    chainId = parameters.knownChainId ?? (await createPublicClient({ transport }).getChainId());
  } catch (e) {
    throw new RpcUnreachableError(rpcUrls.join(", "), {
      cause: e,
      details: `${(e as { shortMessage?: string }).shortMessage ?? (e as Error).message}\n${unreachableHint(parameters.source)}`,
    });
  }
  const chain = defineChain({
    id: chainId,
    name: parameters.network ?? `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [...rpcUrls] } },
  });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: chainId === 31337 ? 100 : 2_000 });
  return { publicClient, transport, chain, chainId, rpcUrls };
}

/** What to check when the RPC does not answer, naming where its URL came from when known. */
function unreachableHint(source: string | undefined): string {
  return source ? `Check that the node is running and that ${source} is right.` : RPC_CHECK_HINT;
}
