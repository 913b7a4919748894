import type { Command } from "commander";
import { createIndexer } from "../../../indexer/createIndexer.js";
import { formatIndexerEvent } from "../indexer/formatIndexerEvent.js";
import { openIndexerStore, resolveIndexerSettings } from "../indexer/resolveIndexerSettings.js";
import type { IndexerCliOptions } from "../indexer/resolveIndexerSettings.js";
import { getStateDigest } from "../../../indexer/query/getStateDigest.js";
import { addExamples } from "../io/addExamples.js";
import { skipRepeatedHead } from "../io/skipRepeatedHead.js";
import { createOutput } from "../io/createOutput.js";
import type { GlobalOptions } from "../types.js";

/** Adds the indexer's shared options to a command. */
export function addIndexerOptions(cmd: Command): Command {
  return cmd
    .option("--db <dir>", "PGlite folder (default .keytrail/db); DATABASE_URL selects PostgreSQL instead")
    .option("--rpc <url...>", "RPC URL(s), in order of preference (default: --rpc-url, KEYTRAIL_RPC_URL, the config)")
    .option("--from-block <n>", "the ledger's deployment block (default: from the deployment record)")
    .option("--finality <n>", "reorganisations deeper than this many blocks stop the indexer (default 64)")
    .option("--poll-ms <n>", "head polling interval when following (default 1000)")
    .option(
      "--ws <url>",
      "new-head notifications while following: ws:// or wss:// URL, auto (the RPC URL over WebSocket, when the node offers it) or off",
      "auto",
    );
}

/**
 * `keytrail index [--follow]`: indexes the ledger's events into the store (to the head, or
 * following it). Safe to interrupt at any moment: a restart resumes from the last commit.
 *
 * @param program - the root command.
 * @example
 * registerIndexCommand(program);
 */
export function registerIndexCommand(program: Command): void {
  const cmd = addIndexerOptions(
    program
      .command("index")
      .description("index the ledger's events into the provenance database (PGlite or PostgreSQL)")
      .option("--follow", "keep following the head")
      .option("--json", "print the final cursor and digest as JSON"),
  ).action(async (o: IndexerCliOptions & { follow?: boolean; json?: boolean }, command: Command) => {
    const g = command.optsWithGlobals<GlobalOptions>();
    const out = createOutput({ quiet: g.quiet });
    const settings = await resolveIndexerSettings(g, o);
    const store = await openIndexerStore(o, out.info);
    try {
      const indexer = createIndexer({
        store,
        rpcUrls: settings.rpcUrls,
        ledger: settings.ledger,
        startBlock: settings.startBlock,
        chainId: settings.chainId,
        finalityDepth: settings.finalityDepth,
        pollIntervalMs: settings.pollIntervalMs,
        wsUrl: settings.wsUrl,
        onEvent: skipRepeatedHead((e) => {
          const line = formatIndexerEvent(e);
          if (line) out.info(line);
        }),
      });
      const cursor = await indexer.run({ follow: o.follow === true });
      const digest = await getStateDigest(store);
      if (o.json) out.json({ cursor, digest: digest?.digest ?? null });
      else out.result(`indexed to block ${cursor.number} (${cursor.hash}); state digest ${digest?.digest ?? "-"}`);
    } finally {
      await store.close();
    }
  });
  addExamples(
    cmd,
    "keytrail index",
    "keytrail index --follow --rpc http://127.0.0.1:8545 http://127.0.0.1:8546",
    "DATABASE_URL=postgres://user@127.0.0.1/keytrail keytrail index",
  );
}
