/**
 * The `return` parameter of the engine's flows (challenge, login): where the browser goes
 * when the flow is done. It may only name a path on the same tunnel origin, never another
 * site (no open redirect): the answer is a canonical `path?query` that every browser and
 * every URL parser reads as same-origin, or null.
 */

/** Longest return target accepted; longer ones are refused rather than truncated. */
const MAX_RETURN_LENGTH = 2048;

/** How many rounds of percent-decoding are inspected for a hidden `//` or `\`. */
const DECODE_ROUNDS = 3;

/** A base that cannot be confused with any tunnel: only its origin matters. */
const PROBE_ORIGIN = "https://return-target.rampart.invalid";

/** Where a flow returns when it was started without a `return` parameter. */
export const DEFAULT_RETURN = "/";

/** Engine paths a flow must never return to: the challenge would loop on itself. */
const FORBIDDEN_PREFIXES = ["/.well-known/rstream/challenge"];

/** C0 and C1 controls and invisible separators: refused even percent-encoded. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
/** In the raw value also any whitespace and `\`, which browsers strip or read as `/`. */
const RAW_UNSAFE = /[\u0000-\u0020\u007f-\u00a0\u2028\u2029\ufeff\\]/;

/**
 * The canonical same-origin target for a raw `return` value, or null when it is refused.
 * `null` in (no parameter) yields the default `/`.
 */
export function safeReturnTarget(raw: string | null): string | null {
  if (raw === null || raw === "") return DEFAULT_RETURN;
  if (raw.length > MAX_RETURN_LENGTH) return null;
  // Browsers strip tabs and newlines and read `\` as `/`; a target must not rely on either.
  if (!startsLocal(raw) || RAW_UNSAFE.test(raw)) return null;
  // An encoded `//`, `/\` or control character is refused too: a server behind the tunnel
  // that decodes before redirecting would otherwise turn it into another origin.
  let decoded = raw;
  for (let round = 0; round < DECODE_ROUNDS; round++) {
    const next = decodeOnce(decoded);
    if (next === null || !startsLocal(next) || CONTROL.test(next) || resolved(next) === null)
      return null;
    if (next === decoded) break;
    decoded = next;
  }
  const url = resolved(raw);
  if (url === null) return null;
  const target = `${url.pathname}${url.search}`;
  // INVARIANT: the canonical form passes the same checks as the input.
  if (
    !startsLocal(target) ||
    RAW_UNSAFE.test(target) ||
    FORBIDDEN_PREFIXES.some((p) => url.pathname.startsWith(p))
  )
    return null;
  return target;
}

/** Starts with exactly one `/`: not `//` or `/\` (both read as another host by browsers). */
function startsLocal(value: string): boolean {
  if (value.charCodeAt(0) !== 47 /* "/" */) return false;
  const second = value.charAt(1);
  return second !== "/" && second !== "\\";
}

/** The value resolved against the probe origin, when it stays there on a single-slash path. */
function resolved(value: string): URL | null {
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return null;
  }
  return url.origin === PROBE_ORIGIN && startsLocal(url.pathname) ? url : null;
}

function decodeOnce(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}
