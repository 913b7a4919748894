import type { IndexerEvent } from "../../../indexer/createIndexer.js";

/**
 * Wraps an indexer event handler so that a following indexer's "caught-up" event reaches it only
 * when the head block changed: the indexer emits one on every poll, and a log line per poll of an
 * unchanged head is noise. A reorganisation resets it (the next head is logged again).
 *
 * @param onEvent - the handler (e.g. one that logs formatIndexerEvent lines).
 * @returns the filtering handler.
 * @example
 * createIndexer({ …, onEvent: skipRepeatedHead((e) => log(formatIndexerEvent(e))) });
 */
export function skipRepeatedHead(onEvent: (e: IndexerEvent) => void): (e: IndexerEvent) => void {
  let lastHead: number | undefined;
  return (e) => {
    if (e.type === "caught-up") {
      if (e.block === lastHead) return;
      lastHead = e.block;
    } else if (e.type === "reorg") lastHead = undefined;
    onEvent(e);
  };
}
