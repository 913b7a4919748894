import type { Command } from "commander";
import { createApiServer } from "../../../indexer/api/createApiServer.js";
import { createIndexer } from "../../../indexer/createIndexer.js";
import { formatIndexerEvent } from "../indexer/formatIndexerEvent.js";
import { openIndexerStore, resolveIndexerSettings } from "../indexer/resolveIndexerSettings.js";
import type { IndexerCliOptions } from "../indexer/resolveIndexerSettings.js";
import { CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { skipRepeatedHead } from "../io/skipRepeatedHead.js";
import { createOutput } from "../io/createOutput.js";
import type { GlobalOptions } from "../types.js";
import { addIndexerOptions } from "./index.js";

/**
 * `keytrail serve`: the read-only HTTP JSON API over the indexer's store (routes in
 * docs/INDEXER.md, /openapi.json). With `--index`, also follows the chain in the same process
 * (needed with PGlite, which one process owns at a time).
 *
 * @param program - the root command.
 * @example
 * registerServeCommand(program);
 */
export function registerServeCommand(program: Command): void {
  const cmd = addIndexerOptions(
    program
      .command("serve")
      .description("serve the provenance database as a read-only HTTP JSON API")
      .option("--port <n>", "port (default 8787)", "8787")
      .option("--host <host>", "address to listen on (default 127.0.0.1)", "127.0.0.1")
      .option("--index", "also index the chain, following the head, in this process"),
  ).action(async (o: IndexerCliOptions & { port: string; host: string; index?: boolean }, command: Command) => {
    const g = command.optsWithGlobals<GlobalOptions>();
    const out = createOutput({ quiet: g.quiet });
    if (!/^\d+$/.test(o.port) || Number(o.port) > 65535)
      throw new CliUsageError(`--port ${JSON.stringify(o.port)} is not a port number (0-65535).`);
    const settings = o.index ? await resolveIndexerSettings(g, o) : null;
    // PGlite on its own thread: its statements never hold up the server's answers (e.g. /status)
    const store = await openIndexerStore(o, out.info, { worker: true });
    const server = createApiServer(store);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(Number(o.port), o.host, resolve);
    });
    const addr = server.address();
    const port = typeof addr === "object" && addr ? addr.port : Number(o.port);
    out.result(`serving http://${o.host}:${port}/ (routes: /openapi.json)`);
    if (settings) {
      const indexer = createIndexer({
        store,
        ...settings,
        onEvent: skipRepeatedHead((e) => {
          const line = formatIndexerEvent(e);
          if (line) out.info(line);
        }),
      });
      await indexer.run({ follow: true });
    } else {
      await new Promise<void>(() => undefined); // until the process is stopped
    }
  });
  addExamples(cmd, "keytrail serve", "keytrail serve --index --port 8787", "curl http://127.0.0.1:8787/batches");
}
