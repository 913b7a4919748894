import { createIndexer } from "../../../indexer/createIndexer.js";
import { writeExport } from "../../../indexer/export/writeExport.js";
import { openStore } from "../../../indexer/store/openStore.js";
import type { Scenario } from "./scenario.js";

/**
 * Indexes the scenario's chain with the real indexer (in-memory PGlite) and writes its static
 * export, with the sealed batch's proof shards copied in: the files the portal builds from.
 *
 * @param rpcUrl - the chain's HTTP endpoint
 * @param scenario - from setUpScenario
 * @param sealedDir - the sealed batch's public folder
 * @param exportDir - output folder (replaced)
 * @example
 * await indexAndExport(chain.url, scenario, sealedDir, exportDir);
 */
export async function indexAndExport(
  rpcUrl: string,
  scenario: Scenario,
  sealedDir: string,
  exportDir: string,
): Promise<void> {
  const store = await openStore({ dataDir: null });
  try {
    await createIndexer({
      store,
      rpcUrls: [rpcUrl],
      ledger: scenario.ledger,
      startBlock: scenario.deployBlock,
      chainId: scenario.chainId,
      pollIntervalMs: 50,
    }).run();
    const r = await writeExport(store, { dir: exportDir, shardsFrom: [sealedDir] });
    if (r.shardsCopied === 0) throw new Error("the export copied no proof shards from the sealed batch folder");
  } finally {
    await store.close();
  }
}
