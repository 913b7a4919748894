import { createReadStream, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { mapDigitalLinkPath } from "../src/config/mapDigitalLinkPath.js";
import sirv from "sirv";

/** Content types of everything the portal build contains. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".webmanifest": "application/manifest+json",
  ".bin": "application/octet-stream",
};

/** Headers on every answer. The page's own CSP is a meta tag; this adds what only a header can say. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'none'",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
};

/** Options of {@link createStaticServer}. */
export type StaticServerOptions = {
  /** The built site (portal/dist). */
  root: string;
  /** URL path prefix the site is built for (Astro `base`), default "/". */
  base?: string;
};

/** What {@link rewrite} makes of a request path: another path to serve, or a redirect. */
export type StaticRewrite = { pathname: string } | { redirect: string };

/**
 * The one place where request paths are mapped before they are served: a GS1 Digital Link path
 * (`01/<gtin>/21/<serial>`, see mapDigitalLinkPath) is served the verify page; every other path as it is.
 *
 * @param pathname - the request path, %-decoded, starting with "/" (the base included).
 * @param base - the site's base path (ends with "/").
 * @returns the path to serve, or where to redirect (302).
 */
export function rewrite(pathname: string, base: string): StaticRewrite {
  const page = pathname.startsWith(base) ? mapDigitalLinkPath(pathname.slice(base.length)) : undefined;
  return { pathname: page === undefined ? pathname : `${base}${page}` };
}

/**
 * A small static file server for the built portal (demo and tests; production uses any static
 * host or CDN), on sirv. GET and HEAD only; no directory listings; paths cannot leave `root`;
 * dotfiles are not served; folders serve their index.html (a folder without the trailing slash
 * redirects to it); correct content types; long caching for hashed assets under `_astro/`, pages
 * revalidated; header-only security policy on every answer; 404.html for what is not there.
 * Files are looked up per request, so the site may be rebuilt while it is served.
 *
 * @param options - root folder and base path
 * @returns an unstarted node:http server; call `listen(port, "127.0.0.1")`
 * @example
 * createStaticServer({ root: "portal/dist" }).listen(4321, "127.0.0.1");
 */
export function createStaticServer(options: StaticServerOptions): Server {
  const root = resolve(options.root);
  const base = (options.base ?? "/").replace(/\/?$/, "/");
  const notFoundPage = join(root, "404.html");
  const files = sirv(root, {
    dev: true, // a lookup per request: no file list cached at start
    dotfiles: false,
    extensions: [],
    etag: true,
    setHeaders: (res, pathname) => {
      res.setHeader("content-type", CONTENT_TYPES[extname(pathname).toLowerCase()] ?? "application/octet-stream");
      res.setHeader(
        "cache-control",
        pathname.startsWith("/_astro/") ? "public, max-age=31536000, immutable" : "no-cache",
      );
    },
    onNoMatch: (req, res) => {
      try {
        const s404 = statSync(notFoundPage);
        res.writeHead(404, {
          "content-type": CONTENT_TYPES[".html"]!,
          "content-length": String(s404.size),
          "cache-control": "no-store",
        });
        if (req.method === "HEAD") return res.end();
        createReadStream(notFoundPage)
          .on("error", () => res.destroy())
          .pipe(res);
      } catch {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : "not found\n");
      }
    },
  });
  return createServer((req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const send = (status: number, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
      res.end(req.method === "HEAD" ? undefined : text);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed\n", { allow: "GET, HEAD" });
    let decoded: string;
    try {
      decoded = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(400, "bad request\n");
    }
    if (decoded.includes("\0")) return send(400, "bad request\n");
    const mapped = rewrite(decoded, base);
    if ("redirect" in mapped) return send(302, "", { location: mapped.redirect });
    const pathname = mapped.pathname;
    if (!pathname.startsWith(base)) {
      if (`${pathname}/` === base) return send(301, "", { location: base });
      return send(404, "not found\n");
    }
    const rel = pathname.slice(base.length);
    const file = resolve(root, `.${sep}${rel}`);
    if (file !== root && !file.startsWith(root + sep)) return send(404, "not found\n");
    if (rel.split("/").some((part) => part.startsWith("."))) return send(404, "not found\n");
    let served = rel;
    try {
      if (statSync(file).isDirectory()) {
        if (!pathname.endsWith("/")) return send(301, "", { location: `${pathname}/` });
        served = `${rel.replace(/\/?$/, "/")}index.html`.replace(/^\//, "");
      }
    } catch {
      /* not there: sirv answers 404 */
    }
    // sirv serves exactly this file under root (no extension guessing, no folder index of its own).
    req.url = `/${served.split("/").map(encodeURIComponent).join("/")}`;
    files(req, res);
  });
}
