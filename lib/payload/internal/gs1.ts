/** GS1 field rules without dependencies (shared by the codec and lib/schemas/gs1.ts). */

/** GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1), 1 to 20 characters. */
export const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/;

/** Whether a 14-digit string has a correct GS1 mod-10 check digit (no length check). */
export function gtinCheckDigitOk(gtin: string): boolean {
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += (gtin.charCodeAt(i) - 48) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10 === gtin.charCodeAt(13) - 48;
}

/** AI (17) expiry YYMMDD: month 01-12, day 00-31 (00 = end of month, as GS1 allows). */
export function expiryOk(s: string): boolean {
  if (!/^\d{6}$/.test(s)) return false;
  const mm = Number(s.slice(2, 4));
  const dd = Number(s.slice(4, 6));
  return mm >= 1 && mm <= 12 && dd <= 31;
}
