import { KeyFormatError } from "./errors.js";
import type { CardKey } from "./normaliseKey.js";

const encoder = new TextEncoder();

function hasUnitSeparator(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 0x1f) return true;
  return false;
}

/**
 * The bytes a key commitment covers: UTF-8 of `serial + U+001F + pin`, or of `pin` alone when
 * there is no serial (docs/FORMATS.md, "Key bytes"). Takes a key already passed through
 * `normaliseKey`.
 *
 * @param key A normalised key.
 * @returns The key bytes.
 * @throws {KeyFormatError} when the PIN is empty or a field contains U+001F.
 *
 * @example
 * encodeKeyBytes({ serial: "52601815908301661", pin: "318609139099603082" }) // 36 bytes
 */
export function encodeKeyBytes(key: CardKey): Uint8Array {
  const { serial, pin } = key;
  if (typeof pin !== "string" || pin.length === 0) throw new KeyFormatError("Invalid key: the PIN is empty.");
  if (hasUnitSeparator(pin) || (serial !== undefined && hasUnitSeparator(serial)))
    throw new KeyFormatError("Invalid key: U+001F (the serial/PIN separator) inside a field; normalise the key first.");
  const text = serial !== undefined && serial.length > 0 ? serial + "\u001f" + pin : pin;
  const n = text.length;
  let ascii = true;
  for (let i = 0; i < n; i++) {
    if (text.charCodeAt(i) >= 128) {
      ascii = false;
      break;
    }
  }
  if (!ascii) return encoder.encode(text);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = text.charCodeAt(i);
  return out;
}
