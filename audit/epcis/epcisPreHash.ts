/** CBV 2.0 web vocabulary base for bare CBV words. */
const CBV = "https://ref.gs1.org/cbv/";
/** Expanded namespace of the `keytrail:` prefix used in the export's @context. */
export const KEYTRAIL_NS = "urn:keytrail:epcis:";

/** JSON values of an exported event. */
export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Canonical value: bare CBV words expanded to CBV 2.0 web URIs, numbers without trailing zeros. */
function canon(kind: "bizStep" | "disposition" | "sdt" | "btt" | "plain", v: Json): string {
  if (typeof v === "number")
    return Number.isInteger(v)
      ? String(v)
      : String(v)
          .replace(/(\.\d*?)0+$/, "$1")
          .replace(/\.$/, "");
  if (typeof v === "boolean") return v ? "true" : "false";
  const s = String(v).trim();
  if (/^[a-z_]+$/.test(s)) {
    if (kind === "bizStep") return `${CBV}BizStep-${s}`;
    if (kind === "disposition") return `${CBV}Disp-${s}`;
    if (kind === "sdt") return `${CBV}SDT-${s}`;
    if (kind === "btt") return `${CBV}BTT-${s}`;
  }
  return s;
}

/** Milliseconds-precision UTC timestamp with Z. */
const time = (s: string) => new Date(s).toISOString();

/**
 * The CBV 2.0 event hash pre-image of an ObjectEvent: `eventType=ObjectEvent`, then in CBV order
 * eventTime (UTC, ms), eventTimeZoneOffset, epcList (epc=… sorted), quantityList
 * (quantityElement epcClass=… quantity=… uom=…, elements sorted), action, bizStep, disposition
 * (bare CBV words expanded to https://ref.gs1.org/cbv/…), persistentDisposition (set=… unset=…),
 * readPoint, bizLocation, bizTransactionList, sourceList, destinationList (type=… then the id,
 * entries sorted), then user extensions as `{namespace}name=value`, sorted. eventID and
 * recordTime are excluded. No separators.
 *
 * @param event An ObjectEvent as exported (JSON-LD, `keytrail:` extension keys).
 * @returns The pre-hash string.
 */
export function epcisPreHash(event: Record<string, Json>): string {
  let out = `eventType=${String(event.type)}`;
  if (event.eventTime !== undefined) out += `eventTime=${time(String(event.eventTime))}`;
  if (event.eventTimeZoneOffset !== undefined) out += `eventTimeZoneOffset=${String(event.eventTimeZoneOffset)}`;
  const epcs = (event.epcList as string[] | undefined) ?? [];
  if (epcs.length)
    out +=
      "epcList" +
      epcs
        .map((e) => `epc=${canon("plain", e)}`)
        .sort()
        .join("");
  const q = (event.quantityList as { epcClass: string; quantity?: number; uom?: string }[] | undefined) ?? [];
  if (q.length) {
    out +=
      "quantityList" +
      q
        .map(
          (e) =>
            `quantityElementepcClass=${canon("plain", e.epcClass)}${e.quantity !== undefined ? `quantity=${canon("plain", e.quantity)}` : ""}${e.uom ? `uom=${e.uom}` : ""}`,
        )
        .sort()
        .join("");
  }
  if (event.action !== undefined) out += `action=${String(event.action)}`;
  if (event.bizStep !== undefined) out += `bizStep=${canon("bizStep", event.bizStep)}`;
  if (event.disposition !== undefined) out += `disposition=${canon("disposition", event.disposition)}`;
  const pd = event.persistentDisposition as { set?: string[]; unset?: string[] } | undefined;
  if (pd && ((pd.set?.length ?? 0) > 0 || (pd.unset?.length ?? 0) > 0)) {
    out +=
      "persistentDisposition" +
      (pd.set ?? [])
        .map((d) => `set=${canon("disposition", d)}`)
        .sort()
        .join("") +
      (pd.unset ?? [])
        .map((d) => `unset=${canon("disposition", d)}`)
        .sort()
        .join("");
  }
  const rp = event.readPoint as { id: string } | undefined;
  if (rp) out += `readPointid=${canon("plain", rp.id)}`;
  const bl = event.bizLocation as { id: string } | undefined;
  if (bl) out += `bizLocationid=${canon("plain", bl.id)}`;
  const typed = (name: string, key: string, kind: "sdt" | "btt") => {
    const list = (event[name] as Record<string, string>[] | undefined) ?? [];
    if (list.length === 0) return "";
    return (
      name +
      list
        .map((e) => `${e.type !== undefined ? `type=${canon(kind, e.type)}` : ""}${key}=${canon("plain", e[key]!)}`)
        .sort()
        .join("")
    );
  };
  out += typed("bizTransactionList", "bizTransaction", "btt");
  out += typed("sourceList", "source", "sdt");
  out += typed("destinationList", "destination", "sdt");
  const ext = Object.keys(event)
    .filter((k) => k.startsWith("keytrail:"))
    .map((k) => `{${KEYTRAIL_NS}}${k.slice("keytrail:".length)}=${canon("plain", event[k]!)}`)
    .sort();
  return out + ext.join("");
}
