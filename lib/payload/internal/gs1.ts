/** GS1 field rules without dependencies (shared by the codec and lib/schemas/gs1.ts). */

/** GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1), 1 to 20 characters. */
export const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/;

/** Whether a 14-digit string has a correct GS1 mod-10 check digit (no length check). */
export function gtinCheckDigitOk(gtin: string): boolean {
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += (gtin.charCodeAt(i) - 48) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10 === gtin.charCodeAt(13) - 48;
}

/**
 * Why AI (17) expiry bytes YY, MM, DD are not a date, or undefined when they are one. DD 00 means the end of
 * the month (GS1 General Specifications 7.12); any other day must exist in that month. The year is 20YY: GS1's
 * sliding century window puts every YY within 50 years of today (1977-2076 in 2026), where February 29 exists
 * exactly when YY is a multiple of 4.
 */
export function gs1DateProblem(yy: number, mm: number, dd: number): string | undefined {
  if (!Number.isInteger(yy) || yy < 0 || yy > 99) return `year ${yy} is not 00-99`;
  if (!Number.isInteger(mm) || mm < 1 || mm > 12) return `month ${mm} is not 01-12`;
  const days = mm === 2 ? (yy % 4 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(mm) ? 30 : 31;
  if (!Number.isInteger(dd) || dd < 0 || dd > days)
    return `day ${dd} does not exist in month ${String(mm).padStart(2, "0")} of 20${String(yy).padStart(2, "0")} (${days} days; 00 = end of month)`;
  return undefined;
}

/** AI (17) expiry YYMMDD: a real date, or DD 00 for the end of the month (see {@link gs1DateProblem}). */
export function expiryOk(s: string): boolean {
  if (typeof s !== "string" || !/^\d{6}$/.test(s)) return false;
  return gs1DateProblem(Number(s.slice(0, 2)), Number(s.slice(2, 4)), Number(s.slice(4, 6))) === undefined;
}
