import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

/** File names that must never be published, whatever the export folder holds. */
const PRIVATE = [/^batch-secret\.json$/i, /^urls\.csv$/i, /secret/i, /\.key$/i, /^\.env/i];

/**
 * Copies the indexer's static export into the built site, skipping anything private by name
 * (batch secrets, url lists carrying salts, dotfiles).
 *
 * @param from - export folder
 * @param to - destination inside the build output
 * @param cp - `fs.cpSync` (passed in so the function stays easy to test)
 * @returns number of files copied
 * @example
 * copyExport("out/export", "portal/dist/export", cpSync)
 */
export function copyExport(
  from: string,
  to: string,
  cp: (src: string, dst: string, opts: { recursive: boolean }) => void,
): number {
  let n = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.name.startsWith(".") || PRIVATE.some((re) => re.test(entry.name))) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        cp(path, join(to, relative(from, path)), { recursive: false });
        n++;
      }
    }
  };
  walk(from);
  return n;
}
