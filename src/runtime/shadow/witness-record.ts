/**
 * The log line of a disagreement, in the words `rampart diff` uses for its witnesses: the kind
 * of change, each side's decision with its rule, and the request in one line. A token is
 * described by its grant (and the owner the claims name), never by its value; cookies by their
 * state only; the query string is never written.
 */
import { TITLE } from "../../analysis/diff/render-diff.ts";
import { describeRequest } from "../../analysis/diff/describe.ts";
import type { ChangeKind } from "../../analysis/diff/types.ts";
import type { RequestFacts } from "../../ir/facts.ts";

/** The `msg` of a witness line (`rampart shadow report` reads these). */
export const WITNESS_MESSAGE = "shadow disagreement";
/** The `msg` of the line counting a minute's disagreements that were not logged. */
export const NOT_LOGGED_MESSAGE = "shadow disagreements not logged";

/** What a disagreement is about: a request, a TLS handshake or a stream connection. */
export type ShadowSubject = "request" | "handshake" | "connection";

/** What every line about a rule pair says (under the `shadow` key of the log line). */
export interface PairRecord {
  readonly kind: ChangeKind;
  /** Absent in logs written before handshakes and connections had their own word: a request. */
  readonly subject?: ShadowSubject;
  /** `newly allowed`, `newly denied` or `answered differently`, as in `rampart diff`. */
  readonly change: string;
  readonly tunnel: string;
  readonly runningRule: string;
  readonly candidateRule: string;
  /** `denied 403 (insufficient_scope) [grant:x]`, as `rampart diff` writes `before:`. */
  readonly running: string;
  readonly candidate: string;
}

/** A witness line's `shadow` object. */
export interface WitnessRecord extends PairRecord {
  /** The request, as `rampart diff` writes its witnesses. */
  readonly witness: string;
  /** The owner the token's claims name, when it has one (never the token itself). */
  readonly tokenSubject?: string;
}

/**
 * The pair part of a disagreement, each side written by `line` (a request decision by
 * default; a handshake's by its own writer).
 */
export function pairRecord<D extends { readonly rule: string }>(
  kind: ChangeKind,
  tunnel: string,
  running: D,
  candidate: D,
  line: (decision: D) => string,
  subject: ShadowSubject = "request",
): PairRecord {
  return {
    kind,
    subject,
    change: TITLE[kind],
    tunnel,
    runningRule: running.rule,
    candidateRule: candidate.rule,
    running: line(running),
    candidate: line(candidate),
  };
}

/** The witness line of one request. */
export function witnessRecord(pair: PairRecord, facts: RequestFacts): WitnessRecord {
  const token = facts.token;
  // The runtime names a token's grant after the token's id (`jti`), or a digest of it.
  const grant = token?.grant?.name ?? null;
  const subject = token?.owner?.id ?? token?.subject ?? null;
  return {
    ...pair,
    witness: describeRequest(facts, grant),
    ...(subject === null ? {} : { tokenSubject: subject }),
  };
}
