import { createRpcRequest, type RpcRequest } from "../../../lib/proof/rpcRequest.js";
import { TrustError } from "../../../lib/verify/readProvenStatus.js";

/**
 * Asks every configured RPC for its chain id (`eth_chainId`, in parallel, each with a time-out). RPCs that do not
 * answer are left out; two that answer with different chain ids make the chain unconfirmable: a verifier that took
 * the first RPC's word could call a genuine code "for another chain".
 *
 * @param urls - the configured RPC URLs.
 * @param request - the JSON-RPC requester (default: 10 s time-out, byte cap).
 * @returns each answer by URL, and `disagree` (a TrustError naming every answer) when they differ.
 * @example
 * const { disagree } = await checkChainIds(["https://rpc-a.example", "https://rpc-b.example"]);
 */
export async function checkChainIds(
  urls: readonly string[],
  request: RpcRequest = createRpcRequest({ timeoutMs: 10_000 }),
): Promise<{ answers: { url: string; chainId: number }[]; disagree: TrustError | undefined }> {
  const answers: { url: string; chainId: number }[] = [];
  await Promise.all(
    urls.map(async (url) => {
      try {
        const r = await request(url, "eth_chainId", []);
        if (typeof r === "string" && /^0x[0-9a-f]+$/i.test(r)) answers.push({ url, chainId: Number(BigInt(r)) });
      } catch {
        // Unreachable RPCs are reported by the reads that need them.
      }
    }),
  );
  answers.sort((a, b) => urls.indexOf(a.url) - urls.indexOf(b.url));
  const distinct = new Set(answers.map((a) => a.chainId));
  const disagree =
    distinct.size > 1
      ? new TrustError(
          `RPCs disagree on the chain id: ${answers.map((a) => `${a.url} says ${a.chainId}`).join(", ")} — cannot confirm.`,
        )
      : undefined;
  return { answers, disagree };
}
