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

/**
 * True when `host` (already lower-case) is a DNS name, or `*.` and a DNS name; of
 * `host[start, end)` when given (a host inside a longer text, read without a copy).
 */
export function isValidHost(host: string, start = 0, end = host.length): boolean {
  if (end - start > 253) return false;
  let label =
    host.charCodeAt(start) === STAR && host.charCodeAt(start + 1) === DOT ? start + 2 : start;
  for (;;) {
    let stop = label;
    while (stop < end) {
      const code = host.charCodeAt(stop);
      if (code === DOT) break;
      if (!isLabelCode(code)) return false;
      stop++;
    }
    const size = stop - label;
    if (size === 0 || size > 63) return false;
    if (host.charCodeAt(label) === HYPHEN || host.charCodeAt(stop - 1) === HYPHEN) return false;
    if (stop === end) return true;
    label = stop + 1;
  }
}
