/** A GS1 Digital Link path as KeyTrail prints it: `01/<gtin>` then key qualifiers (`10/<lot>`, `21/<serial>`). */
const DIGITAL_LINK = /^(en\/)?01\/[^/]+(?:\/(?:10|21|22)\/[^/]+)*\/?$/;

/**
 * Maps a GS1 Digital Link path (`01/<gtin>/21/<serial>`, or under `en/` for English) to the verify page's file,
 * for servers of the static portal: the page then reads the payload from the URL fragment (which never reaches
 * the server) and checks that the path and the payload agree. Pure: no file system, no URL decoding (pass the
 * path as the server resolved it, relative to the site's base).
 *
 * @param rel The request path relative to the portal's base, without a leading slash (e.g. `01/09506000134352/21/x.1`).
 * @returns `v/index.html` or `en/v/index.html` for a Digital Link path, undefined for anything else.
 *
 * @example
 * mapDigitalLinkPath("01/09506000134352/21/4dab528a.2") // "v/index.html"
 * mapDigitalLinkPath("en/01/09506000134352/21/4dab528a.2") // "en/v/index.html"
 * mapDigitalLinkPath("batches/") // undefined
 */
export function mapDigitalLinkPath(rel: string): string | undefined {
  const m = DIGITAL_LINK.exec(rel);
  if (!m) return undefined;
  return m[1] ? "en/v/index.html" : "v/index.html";
}
