/**
 * The common spelling of an HTTP upstream, recognised without parsing a URL:
 * `http://` or `https://`, a dotted-quad IPv4 address or a lower-case DNS name, an optional
 * port, and an optional path of unreserved characters and `/`. Such a text is a valid
 * upstream (`URL.parse` reads it, with no credentials, query or fragment); anything else, valid
 * or not, is left to the full check. On 10,000 tunnels the full parse allocated ~4 MB of URL
 * objects for text like `http://10.0.1.10:8080`. `test/ir/upstream-urls.test.ts` holds every
 * text this accepts to be one the full check accepts.
 */
import { isValidHost } from "../host-name.ts";
import { parseDottedQuad } from "../ip.ts";

const COLON = 0x3a;
const SLASH = 0x2f;

/** True for the characters a plain path may hold: `A-Z a-z 0-9 - . _ ~ /`. */
function isPathCode(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2d ||
    code === 0x2e ||
    code === 0x5f ||
    code === 0x7e ||
    code === SLASH
  );
}

/**
 * Whether `url[start, end)` is a host the URL parser keeps as written: a dotted quad, or a DNS
 * name whose last label starts with a letter (a last label of digits or `0x…` would be read
 * as an IPv4 number) and with no `xn--` label (those are decoded, and may be refused).
 */
function isPlainHost(url: string, start: number, end: number): boolean {
  if (parseDottedQuad(url, start, end) !== -1) return true;
  if (url.charCodeAt(start) === 0x2a || !isValidHost(url, start, end)) return false;
  for (let label = start; label < end;) {
    if (url.startsWith("xn--", label)) return false;
    const dot = url.indexOf(".", label);
    if (dot === -1 || dot >= end) {
      const first = url.charCodeAt(label);
      return first >= 0x61 && first <= 0x7a;
    }
    label = dot + 1;
  }
  return false;
}

/** True when `url` is in the plain form above (and so a valid HTTP upstream). */
export function isPlainHttpUrl(url: string): boolean {
  const start = url.startsWith("http://") ? 7 : url.startsWith("https://") ? 8 : -1;
  if (start < 0) return false;
  let end = start;
  while (end < url.length && url.charCodeAt(end) !== COLON && url.charCodeAt(end) !== SLASH) end++;
  if (!isPlainHost(url, start, end)) return false;
  if (url.charCodeAt(end) === COLON) {
    let port = 0;
    let digits = 0;
    for (end++; end < url.length && url.charCodeAt(end) !== SLASH; end++) {
      const digit = url.charCodeAt(end) - 0x30;
      if (digit < 0 || digit > 9 || ++digits > 5) return false;
      port = port * 10 + digit;
    }
    if (digits === 0 || port > 65535) return false;
  }
  for (; end < url.length; end++) if (!isPathCode(url.charCodeAt(end))) return false;
  return true;
}
