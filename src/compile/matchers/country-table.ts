/**
 * Country allow-lists as a 26×26 table indexed by the two letters of an ISO 3166-1 alpha-2
 * code: one array read per request. A code that is not two upper-case ASCII letters, or a
 * missing country (address not in the GeoIP database), never matches (SPEC S-A4).
 */
import type { CountrySet } from "../../ir/types.ts";

/** A compiled country set: `table[(first - 65) * 26 + (second - 65)]` is 1 for members. */
export type CountryTable = Uint8Array;

function indexOf(code: string): number {
  if (code.length !== 2) return -1;
  const a = code.charCodeAt(0) - 65;
  const b = code.charCodeAt(1) - 65;
  if (a < 0 || a > 25 || b < 0 || b > 25) return -1;
  return a * 26 + b;
}

/** Compiles an IR country set; codes are already upper case and valid in the IR. */
export function compileCountrySet(set: CountrySet): CountryTable {
  const table = new Uint8Array(26 * 26);
  for (const code of set.codes) {
    const i = indexOf(code);
    if (i >= 0) table[i] = 1;
  }
  return table;
}

/** Whether the request's country is in the table. HOT PATH. */
export function containsCountry(table: CountryTable, country: string | null): boolean {
  if (country === null) return false;
  const i = indexOf(country);
  return i >= 0 && table[i] === 1;
}
