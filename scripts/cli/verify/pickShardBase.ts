import { createShardSource, type ShardSource } from "./createShardSource.js";

/** Parameters of {@link pickShardBase}. */
export type PickShardBaseParameters = {
  /** `--shards <base>`: a folder or URL chosen by the user (always used). */
  shards?: string | undefined;
  /** The portal base of the link being verified (`https://host/path` before `/v/#`), if it is one. */
  linkPortal?: string | undefined;
  /** `portalBase` of keytrail.config.json. */
  configPortal?: string | undefined;
  /** `--allow-link-host`: the link's own portal may be asked for its shards. */
  allowLinkHost?: boolean | undefined;
  /** Limits passed to {@link createShardSource} (tests). */
  timeoutMs?: number | undefined;
  maxBytes?: number | undefined;
};

const origin = (u: string) => {
  try {
    return new URL(u).origin;
  } catch {
    return undefined;
  }
};

/**
 * Where `keytrail verify` reads a short form's proof shards. A link names a portal, but whoever wrote the link
 * chose that host: it is not asked blindly (a pasted link would make the CLI fetch from any host, a slow one
 * included). In order: `--shards`; the link's portal when it has the configured `portalBase`'s origin or with
 * `--allow-link-host`; the configured `portalBase`. Without any, a reader that fails naming the flags to use, so
 * the verdict says "cannot confirm: proof data unavailable" and why.
 *
 * @returns the shard source (reader and description of each shard's location), or undefined when nothing at
 *   all can be named (no link, no flag, no config).
 * @example
 * const source = pickShardBase({ linkPortal: "https://verify.example.com", configPortal: "https://verify.example.com" });
 */
export function pickShardBase(parameters: PickShardBaseParameters): ShardSource | undefined {
  const { shards, linkPortal, allowLinkHost } = parameters;
  const limits = { timeoutMs: parameters.timeoutMs, maxBytes: parameters.maxBytes };
  const exportOf = (portal: string) => `${portal.replace(/\/+$/, "")}/export/proofs/{batchId}`;
  if (shards !== undefined) return createShardSource({ base: shards, ...limits });
  const configPortal = parameters.configPortal?.replace(/\/+$/, "");
  const linkOrigin = linkPortal !== undefined ? origin(linkPortal) : undefined;
  if (linkPortal !== undefined && linkOrigin !== undefined) {
    if (allowLinkHost || (configPortal !== undefined && origin(configPortal) === linkOrigin))
      return createShardSource({ base: exportOf(linkPortal), ...limits });
  }
  if (configPortal !== undefined) return createShardSource({ base: exportOf(configPortal), ...limits });
  if (linkPortal === undefined) return undefined;
  const refused = createShardSource({ base: exportOf(linkPortal) })!;
  return {
    describeShard: refused.describeShard,
    fetchShard: async (batchId, shard) => {
      throw new Error(
        `not fetched from ${refused.describeShard(batchId, shard)}: the link's host ${linkOrigin ?? linkPortal} ` +
          "is not a configured shard source (pass --allow-link-host to use it, --shards <base>, --batch-dir <dir>, " +
          "or set portalBase in keytrail.config.json)",
      );
    },
  };
}
