import { createReadStream, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { mapDigitalLinkPath } from "../src/config/mapDigitalLinkPath.js";

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

/**
 * A small static file server for the built portal (demo and tests; production uses any static
 * host or CDN). GET and HEAD only; no directory listings; paths cannot leave `root`; folders serve
 * their index.html (a folder without the trailing slash redirects to it); correct content types;
 * long caching for hashed assets under `_astro/`.
 *
 * @param options - root folder and base path
 * @returns an unstarted node:http server; call `listen(port, "127.0.0.1")`
 * @example
 * createStaticServer({ root: "portal/dist" }).listen(4321, "127.0.0.1");
 */
export function createStaticServer(options: StaticServerOptions): Server {
  const root = resolve(options.root);
  const base = (options.base ?? "/").replace(/\/?$/, "/");
  return createServer((req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const send = (status: number, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
      res.end(req.method === "HEAD" ? undefined : text);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed\n", { allow: "GET, HEAD" });
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(400, "bad request\n");
    }
    if (pathname.includes("\0")) return send(400, "bad request\n");
    if (!pathname.startsWith(base)) {
      if (`${pathname}/` === base) return send(301, "", { location: base });
      return send(404, "not found\n");
    }
    const rel = mapDigitalLinkPath(pathname.slice(base.length)) ?? pathname.slice(base.length);
    const file = resolve(root, `.${sep}${rel}`);
    if (file !== root && !file.startsWith(root + sep)) return send(404, "not found\n");
    if (rel.split("/").some((part) => part.startsWith("."))) return send(404, "not found\n");
    let target = file;
    let st;
    try {
      st = statSync(target);
      if (st.isDirectory()) {
        if (!pathname.endsWith("/")) return send(301, "", { location: `${pathname}/` });
        target = join(target, "index.html");
        st = statSync(target);
      }
    } catch {
      st = undefined;
    }
    if (!st || !st.isFile()) {
      const notFound = join(root, "404.html");
      try {
        const s404 = statSync(notFound);
        res.writeHead(404, {
          "content-type": CONTENT_TYPES[".html"]!,
          "content-length": String(s404.size),
          "cache-control": "no-store",
        });
        if (req.method === "HEAD") return res.end();
        return createReadStream(notFound).pipe(res);
      } catch {
        return send(404, "not found\n");
      }
    }
    const type = CONTENT_TYPES[extname(target).toLowerCase()] ?? "application/octet-stream";
    const immutable = rel.startsWith("_astro/");
    res.writeHead(200, {
      "content-type": type,
      "content-length": String(st.size),
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
    if (req.method === "HEAD") return res.end();
    createReadStream(target)
      .on("error", () => res.destroy())
      .pipe(res);
  });
}
