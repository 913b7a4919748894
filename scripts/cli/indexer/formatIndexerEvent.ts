import type { IndexerEvent } from "../../../indexer/createIndexer.js";
import { assertNever } from "../../../lib/errors/assertNever.js";

/**
 * One log line for an indexer event (null for events not worth a line).
 *
 * @param e - the event.
 * @returns the line, or null.
 * @example
 * indexer = createIndexer({ ..., onEvent: (e) => { const l = formatIndexerEvent(e); if (l) console.error(l); } });
 */
export function formatIndexerEvent(e: IndexerEvent): string | null {
  switch (e.type) {
    case "start":
      return `index: chain ${e.chainId}, cursor ${e.cursor}, head ${e.head}`;
    case "range":
      return `index: blocks ${e.from}-${e.to}: ${e.events} events in ${e.ms.toFixed(0)} ms (next chunk ${e.chunkBlocks} blocks)`;
    case "reorg":
      return `index: reorganisation: rolled back from block ${e.oldCursor} to ${e.ancestor} (depth ${e.depth}): ${e.reason}`;
    case "retry":
      return `index: ${e.info.method} failed at ${e.info.url} (${e.info.error.shortMessage}); retry ${e.info.attempt} in ${e.info.delayMs} ms`;
    case "inconsistent":
      return `index: inconsistent RPC answer, fetching again (${e.attempt}): ${e.message}`;
    case "caught-up":
      return `index: at head, block ${e.block}`;
    case "indexes":
      return e.action === "deferred"
        ? "index: first backfill: read-side indexes are built once at the head"
        : `index: read-side indexes built in ${e.ms.toFixed(0)} ms`;
    case "chunk":
      return e.reason === "too-large" ? `index: answer too large, block range now ${e.blocks}` : null;
    case "heads":
      return e.source === "websocket"
        ? `index: new heads over WebSocket ${e.url} (polling stays on as the fallback)`
        : `index: following by polling${e.url ? ` (no WebSocket at ${e.url}: ${e.reason ?? "unavailable"})` : ""}`;
    default:
      return assertNever(e, "indexer event");
  }
}
