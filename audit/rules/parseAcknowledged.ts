import { AuditOptionError } from "../errors.js";

/** A finding id as auditEvents makes them: `<ruleId>@<block>.<logIndex>[.<n>]` or `<ruleId>@end[.<n>]`. */
const FINDING_ID = /^[a-z][a-z-]*@(\d+\.\d+|end)(\.\d+)?$/;

/**
 * Reads a regulator's acknowledgement list (`keytrail audit --ack FILE`): either a JSON array of
 * finding ids (or `{ "acknowledged": [...] }`), or text with one id per line (blank lines and
 * `#` comments ignored; anything after the id on its line is a note).
 *
 * @param text The file's content.
 * @param source The file's name, for errors.
 * @returns The ids, in file order, without duplicates.
 * @throws AuditOptionError naming the file and line (or JSON position) of an entry that is not a finding id.
 * @example
 * parseAcknowledged("structuring@1204.3  # reviewed 2026-11-02, seasonal restock\n", "ack.txt");
 */
export function parseAcknowledged(text: string, source: string): string[] {
  const ids: string[] = [];
  const trimmed = text.trim();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (e) {
      throw new AuditOptionError(`--ack ${source} is not valid JSON: ${e instanceof Error ? e.message : String(e)}.`);
    }
    const list = Array.isArray(json) ? json : (json as { acknowledged?: unknown }).acknowledged;
    if (!Array.isArray(list))
      throw new AuditOptionError(`--ack ${source}: expected a JSON array of finding ids or { "acknowledged": [...] }.`);
    list.forEach((id, i) => {
      if (typeof id !== "string" || !FINDING_ID.test(id))
        throw new AuditOptionError(`--ack ${source} entry ${i}: ${JSON.stringify(id)} is not a finding id.`, {
          details: "A finding id looks like structuring@1204.3 (audit.json findings[].id).",
        });
      ids.push(id);
    });
  } else {
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.replace(/#.*/, "").trim();
      if (!line) return;
      const id = line.split(/\s+/)[0]!;
      if (!FINDING_ID.test(id))
        throw new AuditOptionError(`--ack ${source} line ${i + 1}: ${JSON.stringify(id)} is not a finding id.`, {
          details: "A finding id looks like structuring@1204.3 (audit.json findings[].id).",
        });
      ids.push(id);
    });
  }
  return [...new Set(ids)];
}
