/**
 * ISO 3166-1 alpha-2 country codes (SPEC S-A4): the officially assigned list, a membership
 * test, and hints for the codes people commonly write by mistake.
 */

/** The 249 officially assigned ISO 3166-1 alpha-2 codes, sorted. */
export const ISO_3166_ALPHA2: readonly string[] = (
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
  "BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
  "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
  "DE DJ DK DM DO DZ " +
  "EC EE EG EH ER ES ET " +
  "FI FJ FK FM FO FR " +
  "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY " +
  "HK HM HN HR HT HU " +
  "ID IE IL IM IN IO IQ IR IS IT " +
  "JE JM JO JP " +
  "KE KG KH KI KM KN KP KR KW KY KZ " +
  "LA LB LC LI LK LR LS LT LU LV LY " +
  "MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
  "NA NC NE NF NG NI NL NO NP NR NU NZ " +
  "OM " +
  "PA PE PF PG PH PK PL PM PN PR PS PT PW PY " +
  "QA " +
  "RE RO RS RU RW " +
  "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
  "TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
  "UA UG UM US UY UZ " +
  "VA VC VE VG VI VN VU " +
  "WF WS " +
  "YE YT " +
  "ZA ZM ZW"
).split(" ");

const CODES: ReadonlySet<string> = new Set(ISO_3166_ALPHA2);

/** True when `code` is an assigned ISO 3166-1 alpha-2 code. Case-sensitive: upper-case first. */
export function isCountryCode(code: string): boolean {
  return CODES.has(code);
}

/** Codes that are not ISO 3166-1 alpha-2 but that people (and some databases) write. */
const KNOWN_MISTAKES: Readonly<
  Record<string, { readonly suggestion?: string; readonly note: string }>
> = {
  UK: { suggestion: "GB", note: "the United Kingdom is `GB` in ISO 3166-1" },
  EL: { suggestion: "GR", note: "Greece is `GR` in ISO 3166-1 (`EL` is an EU convention)" },
  EU: { note: "`EU` is not a country: list the member states' codes" },
  EN: { suggestion: "GB", note: "`EN` is a language, not a country" },
  XK: { note: "`XK` (Kosovo) is a user-assigned code, not part of ISO 3166-1" },
  AN: { note: "the Netherlands Antilles (`AN`) were dissolved: use `BQ`, `CW` or `SX`" },
  CS: { note: "Serbia and Montenegro (`CS`) split: use `RS` or `ME`" },
  YU: { note: "Yugoslavia (`YU`) no longer exists: use `RS`, `ME`, `BA`, `HR`, `MK` or `SI`" },
  TP: { suggestion: "TL", note: "East Timor is `TL` in ISO 3166-1" },
  ZR: { suggestion: "CD", note: "Zaire is now the Democratic Republic of the Congo, `CD`" },
  SU: { note: "the Soviet Union (`SU`) no longer exists: list its successor states" },
  FX: { suggestion: "FR", note: "metropolitan France is part of `FR`" },
  AP: { note: "`AP` (Asia/Pacific) is a GeoIP region, not a country" },
  A1: { note: "`A1` (anonymous proxy) is a GeoIP marker, not a country" },
  A2: { note: "`A2` (satellite provider) is a GeoIP marker, not a country" },
  O1: { note: "`O1` (other country) is a GeoIP marker, not a country" },
};

/** Common alpha-3 codes, to point a three-letter code at its alpha-2 form. */
const ALPHA3: Readonly<Record<string, string>> = {
  USA: "US",
  GBR: "GB",
  DEU: "DE",
  FRA: "FR",
  ESP: "ES",
  ITA: "IT",
  NLD: "NL",
  BEL: "BE",
  CHE: "CH",
  AUT: "AT",
  SWE: "SE",
  NOR: "NO",
  DNK: "DK",
  FIN: "FI",
  POL: "PL",
  PRT: "PT",
  IRL: "IE",
  GRC: "GR",
  CZE: "CZ",
  ROU: "RO",
  HUN: "HU",
  UKR: "UA",
  RUS: "RU",
  TUR: "TR",
  CAN: "CA",
  MEX: "MX",
  BRA: "BR",
  ARG: "AR",
  CHN: "CN",
  JPN: "JP",
  KOR: "KR",
  IND: "IN",
  AUS: "AU",
  NZL: "NZ",
  ZAF: "ZA",
  ISR: "IL",
  SGP: "SG",
  ARE: "AE",
  SAU: "SA",
  EGY: "EG",
};

/** Letter pairs that share a row on a QWERTY keyboard and sit next to each other. */
const KEYBOARD_ROWS = ["QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"];

function keyboardDistance(a: string, b: string): number {
  const pos = (c: string): [number, number] => {
    for (let row = 0; row < KEYBOARD_ROWS.length; row++) {
      const col = KEYBOARD_ROWS[row]?.indexOf(c) ?? -1;
      if (col !== -1) return [row, col];
    }
    return [9, 99];
  };
  const [ra, ca] = pos(a);
  const [rb, cb] = pos(b);
  return Math.abs(ra - rb) + Math.abs(ca - cb);
}

/**
 * The code the user most likely meant, or `null`: a known mistake (`UK` → `GB`), an alpha-3
 * code (`DEU` → `DE`), or a valid code one letter away, preferring a neighbouring key.
 */
export function suggestCountryCode(input: string): string | null {
  const code = input.trim().toUpperCase();
  if (CODES.has(code)) return code;
  const known = KNOWN_MISTAKES[code];
  if (known !== undefined) return known.suggestion ?? null;
  const alpha3 = ALPHA3[code];
  if (alpha3 !== undefined) return alpha3;
  if (code.length !== 2) return null;
  let best: string | null = null;
  let bestCost = Number.POSITIVE_INFINITY;
  for (const candidate of ISO_3166_ALPHA2) {
    const differing = [0, 1].filter((i) => candidate[i] !== code[i]);
    const [i] = differing;
    if (differing.length !== 1 || i === undefined) continue;
    const cost = keyboardDistance(candidate.charAt(i), code.charAt(i));
    if (cost < bestCost) {
      best = candidate;
      bestCost = cost;
    }
  }
  // A suggestion from the far side of the keyboard is a guess, not a hint.
  return bestCost <= 2 ? best : null;
}

/**
 * The `help` text for an unknown country code: `did you mean \`GB\`?` when there is a likely
 * fix, why the code is not a country when there is none, or how to write one.
 */
export function countryCodeHelp(input: string): string {
  const code = input.trim().toUpperCase();
  const suggestion = suggestCountryCode(code);
  if (suggestion !== null) return `did you mean \`${suggestion}\`?`;
  return KNOWN_MISTAKES[code]?.note ?? "use an ISO 3166-1 alpha-2 code such as `DE` or `US`";
}
