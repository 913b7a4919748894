import type { Command } from "commander";
import { writeExport } from "../../../indexer/export/writeExport.js";
import { openIndexerStore } from "../indexer/resolveIndexerSettings.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import type { GlobalOptions } from "../types.js";
import { BaseError } from "../../../lib/errors/BaseError.js";

type ExportOptions = { db?: string; shardsFrom?: string[]; custodyShardSize?: string; json?: boolean };

/**
 * `keytrail export <dir>`: writes the static export the portal builds from (layout in
 * docs/INDEXER.md): batches, parties, custody histories, flows, proof shard index. Reads one
 * consistent snapshot of the store.
 *
 * @param program - the root command.
 * @example
 * registerExportCommand(program);
 */
export function registerExportCommand(program: Command): void {
  const cmd = program
    .command("export")
    .description("write the static JSON export the portal builds from")
    .argument("<dir>", "output folder (replaced)")
    .option("--db <dir>", "PGlite folder (default .keytrail/db); DATABASE_URL selects PostgreSQL instead")
    .option("--shards-from <dir...>", "sealed batch folders whose proof shards are copied into the export")
    .option("--custody-shard-size <n>", "keys per custody shard file (default 4096)")
    .option("--json", "print a JSON summary")
    .action(async (dir: string, o: ExportOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const out = createOutput({ quiet: g.quiet });
      const custodyShardSize = o.custodyShardSize === undefined ? undefined : Number(o.custodyShardSize);
      if (custodyShardSize !== undefined && !(Number.isSafeInteger(custodyShardSize) && custodyShardSize >= 1))
        throw new BaseError(`Invalid --custody-shard-size ${o.custodyShardSize}: expected a positive integer.`);
      const store = await openIndexerStore(o, out.info);
      try {
        const r = await store.transaction(async (tx) => {
          await tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
          return await writeExport(tx, { dir, shardsFrom: o.shardsFrom, custodyShardSize });
        });
        if (o.json) out.json(r);
        else
          out.result(
            `exported block ${r.block} to ${r.dir}: ${r.batches} batches, ${r.parties} parties, ${r.files} files, ${r.custodyShards} custody shards, ${r.shardsCopied} proof shards; digest ${r.digest}`,
          );
      } finally {
        await store.close();
      }
    });
  addExamples(
    cmd,
    "keytrail export out/export",
    "keytrail export portal/public/data --shards-from out/2026-11-A out/2026-11-B",
  );
}
