/** The JSON text of a string, as `JSON.stringify` writes it, for the bundle writer. */

/** What JSON.stringify writes other than as it is: quotes, backslashes, controls, surrogates. */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify(text)`. Most strings of a policy need no escape and are quoted directly: one
 * scan instead of a call into the serializer per distinct string (~125,000 on the bench).
 * Strings with a surrogate go to JSON.stringify, which escapes the lone ones.
 */
export function jsonStringText(text: string): string {
  return ESCAPED.test(text) ? JSON.stringify(text) : `"${text}"`;
}
