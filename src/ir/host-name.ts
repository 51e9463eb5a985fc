/**
 * Whether a (lower-case) tunnel host is a DNS name, or `*.` and a DNS name: labels of 1–63
 * of `a-z`, `0-9` and `-`, neither starting nor ending with `-`, 253 characters at most.
 *
 * Read in one pass over the characters rather than with the equivalent regular expression
 * (`^(?:\*\.)?(?:L\.)*L$`, `L` = `[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?`): lowering checks
 * every host of every tunnel, and a large policy's first thousands of checks ran the regex
 * before V8 compiled it to native code. `test/ir/host-name.test.ts` holds the two equal.
 */

const DOT = 0x2e;
const HYPHEN = 0x2d;
const STAR = 0x2a;

/** True for `a-z`, `0-9` and `-`. */
function isLabelCode(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === HYPHEN;
}

/** True when `host` (already lower-case) is a DNS name, or `*.` and a DNS name. */
export function isValidHost(host: string): boolean {
  const length = host.length;
  if (length > 253) return false;
  let start = host.charCodeAt(0) === STAR && host.charCodeAt(1) === DOT ? 2 : 0;
  for (;;) {
    let end = start;
    while (end < length) {
      const code = host.charCodeAt(end);
      if (code === DOT) break;
      if (!isLabelCode(code)) return false;
      end++;
    }
    const size = end - start;
    if (size === 0 || size > 63) return false;
    if (host.charCodeAt(start) === HYPHEN || host.charCodeAt(end - 1) === HYPHEN) return false;
    if (end === length) return true;
    start = end + 1;
  }
}
