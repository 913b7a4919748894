/** A CSP directive Astro lets a site set (it owns script-src and style-src). */
export type CspDirective =
  `${"default-src" | "connect-src" | "img-src" | "media-src" | "font-src" | "manifest-src" | "object-src" | "frame-src" | "worker-src" | "base-uri" | "form-action" | "require-trusted-types-for" | "trusted-types"} ${string}`;

/**
 * The Content-Security-Policy directives of every page (Astro adds script-src and style-src with
 * the hashes of what it emits). Nothing third-party: connect-src is 'self' (the static export) plus
 * the origins of the configured RPC URLs; images come only from 'self', data: and blob: (uploaded
 * photos); the camera stream is a MediaStream (no URL); no objects, frames, forms or base changes;
 * Trusted Types required with no policy, so no string ever reaches an HTML or script sink.
 *
 * @param rpcUrls - configured JSON-RPC URLs
 * @returns directive strings for Astro's `security.csp.directives`
 * @example
 * cspDirectives(["https://rpc.example.org/v1"]) // includes "connect-src 'self' https://rpc.example.org"
 */
export function cspDirectives(rpcUrls: readonly string[]): CspDirective[] {
  const origins = [...new Set(rpcUrls.map((u) => new URL(u).origin))];
  return [
    "default-src 'none'",
    `connect-src 'self' ${origins.join(" ")}`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "font-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    // No DOM sink (innerHTML, document.write, script.src …) may take a string at all: data can only become text.
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ];
}
