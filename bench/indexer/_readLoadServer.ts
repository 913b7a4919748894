/**
 * One read-API server for bench/indexer/readLoad.ts in a process of its own, as `keytrail serve` runs:
 * the load generators then do not share its event loop. Started with `fork` and an IPC channel:
 *
 *   _readLoadServer.ts <dataDir> <setup>   setup = anchor | cache | lanes | serve
 *
 * - anchor: in-process PGlite; no digest cache, build queue, statement lanes or heavy cap;
 * - cache: in-process PGlite; the digest cache, no lanes and no cap;
 * - lanes: in-process PGlite; cache, lanes and cap (the server of the last stop);
 * - serve: what `keytrail serve` runs: PGlite on a worker thread, cache, lanes and cap.
 *
 * Sends `{ port }` once listening; on the message "stop" it replies `{ loopDelayP99 }` (ms, this
 * process's event loop during the load) and exits.
 */
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createApiServer } from "../../indexer/api/createApiServer.js";
import { openStore } from "../../indexer/store/openStore.js";

const [dataDir, setup] = process.argv.slice(2) as [string, "anchor" | "cache" | "lanes" | "serve"];
if (!dataDir || !["anchor", "cache", "lanes", "serve"].includes(setup))
  throw new Error(
    `usage: _readLoadServer.ts <dataDir> anchor|cache|lanes|serve (got ${process.argv.slice(2).join(" ")})`,
  );
const store = await openStore({
  dataDir,
  databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
  worker: setup === "serve",
});
const server = createApiServer(
  store,
  setup === "anchor"
    ? { digestCache: { size: 0 }, lanes: false, maxHeavy: Number.MAX_SAFE_INTEGER }
    : setup === "cache"
      ? { lanes: false, maxHeavy: Number.MAX_SAFE_INTEGER }
      : {},
);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const loop = monitorEventLoopDelay({ resolution: 10 });
process.on("message", (m) => {
  if (m === "start") {
    loop.reset();
    loop.enable();
  } else if (m === "stop") {
    loop.disable();
    process.send!({ loopDelayP99: Math.round(loop.percentile(99) / 1e6) }, () => process.exit(0));
  }
});
process.send!({ port: (server.address() as AddressInfo).port });
