/**
 * Regenerates the committed sample export (indexer/export/sample/) from a real chain: an
 * in-process Hardhat network, a small seeded scenario, the indexer into in-memory PGlite, then
 * `writeExport`. Run: npx tsx test/indexer/helpers/writeSampleExport.ts
 */
import { createIndexer } from "../../../indexer/createIndexer.js";
import { writeExport } from "../../../indexer/export/writeExport.js";
import { openStore } from "../../../indexer/store/openStore.js";
import { deployLedgerChain, runScenario } from "./ledgerChain.js";
import { forwardToProvider, serveRpc } from "./serveRpc.js";

const chain = await deployLedgerChain();
await runScenario(chain, {
  seed: 5,
  steps: 14,
  itemsPerTx: 3,
  batchCount: 2,
  keysPerBatch: 2048,
  labelPrefix: "sample",
});
const rpc = await serveRpc({ forward: forwardToProvider(chain.provider) });
const store = await openStore({ dataDir: null });
await createIndexer({ store, rpcUrls: [rpc.url], ledger: chain.ledger, startBlock: chain.deployBlock }).run();
const r = await writeExport(store, { dir: "indexer/export/sample" });
process.stdout.write(`${JSON.stringify(r)}\n`);
await store.close();
await rpc.close();
process.exit(0);
