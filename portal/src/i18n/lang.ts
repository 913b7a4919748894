/** Languages of the portal: Chinese at the root, English under /en/. */
export type Lang = "zh-CN" | "en";

/** Both languages, Chinese first. */
export const LANGS: readonly Lang[] = ["zh-CN", "en"];

/**
 * Site-relative path for a language: `localePath("en", "v/")` is `<base>en/v/`.
 *
 * @param lang - language
 * @param path - path without leading slash, ending in "/" (or "")
 * @returns absolute path including the configured base
 * @example
 * localePath("zh-CN", "v/") // "/v/"
 */
export function localePath(lang: Lang, path = ""): string {
  const base = import.meta.env.BASE_URL.endsWith("/") ? import.meta.env.BASE_URL : `${import.meta.env.BASE_URL}/`;
  return `${base}${lang === "en" ? "en/" : ""}${path}`;
}
