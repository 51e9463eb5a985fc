import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/**
 * Codes of the JSON front end: RP20xx for JSON text that does not parse (`json/…`), RP21xx
 * for JSON — or DSL — documents that do not fit the policy schema (`schema/…`).
 */
export const schemaCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {
  RP2001: {
    slug: "json/unexpected-character",
    summary: "a character that JSON does not allow here",
  },
  RP2002: {
    slug: "json/unexpected-end",
    summary: "the JSON text ends before the value is complete",
  },
  RP2003: { slug: "json/unterminated-string", summary: "a string without its closing quote" },
  RP2004: { slug: "json/invalid-escape", summary: "an escape sequence that JSON does not define" },
  RP2005: {
    slug: "json/invalid-number",
    summary: "a number that JSON does not allow or cannot hold",
  },
  RP2006: { slug: "json/duplicate-key", summary: "the same property written twice in one object" },
  RP2007: { slug: "json/too-deep", summary: "values nested deeper than the reader allows" },
  RP2008: { slug: "json/too-large", summary: "a file larger than the reader allows" },
  RP2009: { slug: "json/trailing-content", summary: "text after the end of the JSON document" },
  RP2010: { slug: "json/control-character", summary: "a raw control character inside a string" },
  RP2011: { slug: "json/trailing-comma", summary: "a comma before a closing bracket or brace" },
  RP2012: { slug: "json/comment", summary: "a comment, which JSON does not allow" },
  RP2013: { slug: "json/unquoted-property-name", summary: "a property name without double quotes" },
  RP2014: {
    slug: "json/invalid-literal",
    summary: "a bare word that is not `true`, `false` or `null`",
  },
  RP2015: {
    slug: "json/not-utf8",
    summary: "a JSON file whose bytes are not UTF-8 (a Latin-1 or UTF-16 file)",
  },
  RP2100: { slug: "schema/invalid-value", summary: "a value the policy schema does not accept" },
  RP2101: { slug: "schema/wrong-type", summary: "a value of the wrong type" },
  RP2102: {
    slug: "schema/unknown-property",
    summary: "a property the policy schema does not define",
  },
  RP2103: { slug: "schema/missing-property", summary: "a required property is missing" },
  RP2104: { slug: "schema/unknown-enum-value", summary: "a value outside a closed set of choices" },
  RP2105: { slug: "schema/string-length", summary: "a string that is empty or too long" },
  RP2106: { slug: "schema/list-length", summary: "a list with too few or too many entries" },
  RP2107: {
    slug: "schema/pattern-mismatch",
    summary: "a string that does not have the required form",
  },
  RP2108: { slug: "schema/number-out-of-range", summary: "a number outside its allowed range" },
  RP2109: {
    slug: "schema/no-matching-form",
    summary: "a value that fits none of the forms allowed here",
  },
  RP2110: { slug: "schema/invalid-property-name", summary: "a map key that is empty or too long" },
};
