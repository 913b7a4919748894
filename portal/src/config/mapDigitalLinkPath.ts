/**
 * A GS1 Digital Link path: `01/<gtin>` and whatever follows (key qualifiers such as `21/<serial>`). Servers often
 * hand over the path already percent-decoded (a lot `L%2F1` becomes `L/1`), so the rest is not parsed here: the
 * verify page validates the link it was opened with (`splitDigitalLinkPath`) and refuses what is not valid.
 */
const DIGITAL_LINK = /^(en\/)?01\/[^/]+(?:\/.*)?$/;

/**
 * Maps a GS1 Digital Link path (`01/<gtin>/21/<serial>`, or under `en/` for English) to the verify page's file,
 * for servers of the static portal: the page then reads the payload from the URL fragment (which never reaches
 * the server) and checks that the path and the payload agree. Pure: no file system; the path may be given raw or
 * percent-decoded, relative to the site's base.
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
