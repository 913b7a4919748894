import type { Hex } from "viem";
import type { SecretBox } from "../createSecretBox.js";
import { GatewayConfigError } from "../errors.js";

/** A card secret as the gateway delivers it: the key's serial (卡号, when it has one), PIN (卡密) and salt. */
export type Card = {
  batchId: Hex;
  index: number;
  serial: string | null;
  pin: string;
  /** The key's salt (docs/FORMATS.md §2): what the buyer's private verify link carries. */
  salt: Hex;
};

/** What a sealed card is bound to: a sealed row copied to another key or account does not open. */
export function cardContext(signer: string, batchId: Hex, index: number): string {
  return JSON.stringify(["stock", signer.toLowerCase(), batchId.toLowerCase(), index]);
}

/**
 * Seals a card for the store (AES-256-GCM through the secret box; the caller checks the box encrypts).
 *
 * @param box - the gateway's secret box (with a key).
 * @param signer - the account the stock belongs to.
 * @param card - the card.
 * @returns the stored form.
 * @example
 * sealCard(box, signer, { batchId, index: 0, serial: null, pin: "J4H9DU7794G9DPM", salt })
 */
export function sealCard(box: SecretBox, signer: string, card: Card): string {
  const json = JSON.stringify([card.serial, card.pin, card.salt]);
  return box.seal(`0x${Buffer.from(json, "utf8").toString("hex")}`, cardContext(signer, card.batchId, card.index));
}

/**
 * Opens a stored card (throws GatewayConfigError when the key is missing or wrong: the message names
 * the key's batch and index, never its content).
 *
 * @param box - the gateway's secret box.
 * @param signer - the account the stock belongs to.
 * @param batchId - the key's batch.
 * @param index - the key's index.
 * @param stored - the stored form.
 * @returns the card.
 * @example
 * openCard(box, signer, batchId, 0, row.card).pin
 */
export function openCard(box: SecretBox, signer: string, batchId: Hex, index: number, stored: string): Card {
  let hex: Hex;
  try {
    if (!stored.startsWith("v1:")) throw new Error("not sealed");
    hex = box.open(stored, cardContext(signer, batchId, index));
  } catch (e) {
    throw new GatewayConfigError(
      `The stocked card of batch ${batchId} index ${index} does not open: ` +
        (box.encrypted
          ? "KEYTRAIL_GATEWAY_SECRETS_KEY is not the key it was imported with (or the row was altered)."
          : "the stock is encrypted and KEYTRAIL_GATEWAY_SECRETS_KEY is not set."),
      { cause: e },
    );
  }
  const [serial, pin, salt] = JSON.parse(Buffer.from(hex.slice(2), "hex").toString("utf8")) as [
    string | null,
    string,
    Hex,
  ];
  return { batchId, index, serial, pin, salt };
}
