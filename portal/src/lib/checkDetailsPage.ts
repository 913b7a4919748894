/**
 * lib/verify/checkDetails.ts as the verify page's build resolves it for verifyPayload: a check's
 * detail sentence from the page's own templates (the `checkDetails` of the strings the page carries
 * as JSON, in its language), so that the English templates are not shipped in the page's script
 * a second time. verifyPayload's imports from the lib module must exist here (the build fails otherwise).
 */
import type { CheckDetailCode, CheckDetailParams } from "../../../lib/verify/checkDetails.ts";
import { fillCheckDetail } from "../../../lib/verify/checkDetails.ts";

export type { CheckDetailCode, CheckDetailParams };
export { fillCheckDetail };

let templates: Record<string, string> | undefined;

/**
 * The sentence of a check's detail in the page's language (the code itself when the page has no template for it).
 *
 * @param code - the detail code
 * @param params - its parameters
 * @returns the sentence
 * @example
 * checkDetailText("status-read", { holder: "0x…" }) // "持有人 0x…" on the Chinese page
 */
export function checkDetailText(code: CheckDetailCode, params: CheckDetailParams = {}): string {
  templates ??=
    (
      JSON.parse(document.getElementById("verify-strings")?.textContent ?? "{}") as {
        checkDetails?: Record<string, string>;
      }
    ).checkDetails ?? {};
  return fillCheckDetail(templates[code] ?? code, params);
}
