/** Tiny DOM helpers: every piece of data becomes text (textContent), never markup. */

/** The element with this id (throws when the page lacks it: a build error, not user input). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
}

/** Creates an element with text children and string attributes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "href" && !/^(https?:\/\/|\/(?!\/)|#)/.test(v)) continue;
    e.setAttribute(k, v);
  }
  for (const c of children)
    if (c !== null && c !== undefined && c !== false) e.append(typeof c === "string" ? document.createTextNode(c) : c);
  return e;
}

/** Fills a template like "tier {tier}". */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ""));
}
