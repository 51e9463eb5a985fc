/**
 * The `methods` list of a grant action, checked as written (lowering upper-cases and
 * deduplicates it, which would hide the mistake): a name the HTTP parser of `serve` refuses
 * (so the entry allows nothing), a lower-case name (methods are case-sensitive, RFC 9110
 * §9.1), and a name listed twice.
 */
import { didYouMean } from "../diagnostics/did-you-mean.ts";
import type { LowerContext, SpanScope } from "./lower-context.ts";
import { duplicateMethod, lowerCaseMethod, unknownMethod } from "./semantic-diagnostics.ts";

/**
 * The methods Node's HTTP parser (llhttp) accepts on a request line: a request with any other
 * method is answered 400 before a policy sees it. Most-used first, for did-you-mean ties.
 */
export const HTTP_METHODS: readonly string[] = [
  "GET",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "HEAD",
  "OPTIONS",
  "CONNECT",
  "TRACE",
  "ACL",
  "BIND",
  "CHECKOUT",
  "COPY",
  "LINK",
  "LOCK",
  "MERGE",
  "MKACTIVITY",
  "MKCALENDAR",
  "MKCOL",
  "MOVE",
  "MSEARCH",
  "NOTIFY",
  "PROPFIND",
  "PROPPATCH",
  "PURGE",
  "QUERY",
  "REBIND",
  "REPORT",
  "SEARCH",
  "SOURCE",
  "SUBSCRIBE",
  "UNBIND",
  "UNLINK",
  "UNLOCK",
  "UNSUBSCRIBE",
];

const KNOWN: ReadonlySet<string> = new Set(HTTP_METHODS);

/** Up to this many methods, a list written right is recognised by scanning it. */
const SCAN_MAX = 8;

/**
 * Whether every name is a known method as written (so upper-case) and none is listed twice:
 * then `checkMethodNames` has nothing to report, and the caller skips it (HOT PATH: once per
 * grant action, and nearly every list is written right). Only asked of short lists, by scanning.
 */
export function methodsWrittenRight(methods: readonly string[]): boolean {
  if (methods.length > SCAN_MAX) return false;
  for (let i = 0; i < methods.length; i++) {
    // SAFETY: i < methods.length, the loop's bound.
    const written = methods[i] as string;
    if (!KNOWN.has(written)) return false;
    // Known names are upper-case, so equal as written is equal once upper-cased.
    for (let j = 0; j < i; j++) if (methods[j] === written) return false;
  }
  return true;
}

/** Reports the mistakes of one `methods` list; `scope` holds the list's spans. */
export function checkMethodNames(
  methods: readonly string[],
  scope: SpanScope,
  ctx: LowerContext,
): void {
  const seen = new Map<string, number>();
  methods.forEach((written, i) => {
    const upper = written.toUpperCase();
    const first = seen.get(upper);
    if (first !== undefined) {
      ctx.report(duplicateMethod(scope.member(i), written, scope.member(first)));
      return;
    }
    seen.set(upper, i);
    if (!KNOWN.has(upper)) {
      ctx.report(unknownMethod(scope.member(i), written, didYouMean(upper, HTTP_METHODS)));
    } else if (upper !== written) {
      ctx.report(lowerCaseMethod(scope.member(i), written, upper));
    }
  });
}
