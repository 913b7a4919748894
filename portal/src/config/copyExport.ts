import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";

/**
 * The files of the static export (docs/INDEXER.md, "Static export"; lib/formats/export.ts) that the
 * site publishes, by path relative to the export folder. Anything else in the folder (a key file,
 * a keystore, `urls.csv`, a backup, a batch secret) is never copied: an allow-list, not a deny-list.
 */
const PUBLISHED: readonly RegExp[] = [
  /^(index|batches|parties|flows)\.json$/,
  /^batches\/0x[0-9a-fA-F]{64}\.json$/,
  /^batches\/0x[0-9a-fA-F]{64}\/custody\.json$/,
  /^batches\/0x[0-9a-fA-F]{64}\/custody\/\d+\.json$/,
  /^parties\/0x[0-9a-fA-F]{40}\.json$/,
  /^proofs\/index\.json$/,
  /^proofs\/0x[0-9a-fA-F]{64}\/\d+\.bin$/,
  /^audit\/latest\.json$/,
];

/**
 * Copies the indexer's static export into the built site: only the files the export format
 * defines ({@link PUBLISHED}); everything else is left behind and reported.
 *
 * @param from - export folder
 * @param to - destination inside the build output
 * @param cp - `fs.cpSync` (passed in so the function stays easy to test)
 * @returns the number of files copied and the relative paths left behind
 * @example
 * copyExport("out/export", "portal/dist/export", cpSync)
 */
export function copyExport(
  from: string,
  to: string,
  cp: (src: string, dst: string, opts: { recursive: boolean }) => void,
): { copied: number; skipped: string[] } {
  let copied = 0;
  const skipped: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(from, path).split(sep).join("/");
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && PUBLISHED.some((re) => re.test(rel))) {
        cp(path, join(to, rel), { recursive: false });
        copied++;
      } else skipped.push(rel);
    }
  };
  walk(from);
  return { copied, skipped };
}
