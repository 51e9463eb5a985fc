/** The JSON text of a string, as `JSON.stringify` writes it, for the bundle writer. */

/** What JSON.stringify writes other than as it is: quotes, backslashes, controls, surrogates. */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Writes the UTF-8 bytes of `JSON.stringify(text)` into `bytes` from `at` (room for
 * `3 * text.length + 2` bytes) when nothing in `text` is escaped, and returns where they end;
 * returns -1, having written nothing that counts, when something is. The bundle writer's
 * ~125,000 distinct strings on 10,000 tunnels: an ASCII string is checked and copied in one
 * pass, with no quoted copy made (a concatenation that V8 flattened again to encode it) and no
 * regular expression run before the copy.
 */
export function writeUnescapedJsonString(text: string, bytes: Buffer, at: number): number {
  bytes[at] = QUOTE;
  let end = at + 1;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20 || unit === QUOTE || unit === BACKSLASH) return -1;
    if (unit >= 0x80) {
      // Outside ASCII (rare in a policy): a surrogate is escaped only when lone, so a string
      // with one goes to JSON.stringify.
      if (ESCAPED.test(text)) return -1;
      end += bytes.write(text.slice(i), end, "utf8");
      break;
    }
    bytes[end++] = unit;
  }
  bytes[end] = QUOTE;
  return end + 1;
}
