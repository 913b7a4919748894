import type { Plugin } from "vite";

/** The module id under which Vite serves its preload helper to the client build. */
const PRELOAD_HELPER_ID = "\0vite/preload-helper.js";

/**
 * Vite wraps every dynamic import in a preload helper that fetches the imported chunk's own
 * dependencies (scripts and stylesheets) in parallel and fires `vite:preloadError`: 686 B gzip of the
 * verify page's initial script. The page's lazy chunks (QR fallback, receipt, typed key, encoder,
 * RPC reads) import only the entry, which is already loaded, so every call passes an empty list and
 * the helper is dead weight. This plugin serves a one-line helper instead, and stops the build when a
 * lazy chunk ever gets dependencies to preload (Vite then emits `__vite__mapDeps`), so nothing is
 * silently left unloaded.
 *
 * @returns the Vite plugin
 * @example
 * defineConfig({ vite: { plugins: [preloadHelperWithoutDeps()] } })
 */
export function preloadHelperWithoutDeps(): Plugin {
  return {
    name: "keytrail-preload-helper-without-deps",
    enforce: "pre",
    load(id) {
      return id === PRELOAD_HELPER_ID ? "export const __vitePreload = (load) => load();" : null;
    },
    generateBundle: {
      // After Vite's import analysis, which writes the dependency lists in its own generateBundle.
      order: "post",
      handler(_, bundle) {
        for (const chunk of Object.values(bundle))
          if (chunk.type === "chunk" && chunk.code.includes("__vite__mapDeps"))
            this.error(
              `${chunk.fileName} preloads the dependencies of a lazy chunk, which the portal's one-line preload ` +
                `helper does not load: keep lazy chunks free of imports shared with each other, or drop ` +
                `preloadHelperWithoutDeps from portal/astro.config.mjs`,
            );
      },
    },
  };
}
