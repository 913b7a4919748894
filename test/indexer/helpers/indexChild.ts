/**
 * Child process for the crash test: indexes to the head with small block ranges (many commits),
 * printing one line per committed range. Arguments: rpcUrl ledger startBlock (store: DATABASE_URL
 * or KEYTRAIL_TEST_DB = PGlite folder).
 */
import { createIndexer } from "../../../indexer/createIndexer.js";
import { openStore } from "../../../indexer/store/openStore.js";

const [rpcUrl, ledger, startBlock] = process.argv.slice(2);
const store = await openStore({
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir: process.env.KEYTRAIL_TEST_DB ?? null,
});
const indexer = createIndexer({
  store,
  rpcUrls: [rpcUrl!],
  ledger: ledger as `0x${string}`,
  startBlock: Number(startBlock),
  chunk: { initialBlocks: 2, maxBlocks: 6, targetLogs: 1_000_000 },
  onEvent: (e) => {
    if (e.type === "range") process.stdout.write(`range ${e.from} ${e.to} ${e.events}\n`);
  },
});
const c = await indexer.run();
process.stdout.write(`done ${c.number}\n`);
await store.close();
