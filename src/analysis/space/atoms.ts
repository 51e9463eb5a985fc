/**
 * The request space that analyses explore: the fields of `RequestFacts` grouped into
 * dimensions, each cut into atoms (classes of values the interpreter cannot tell apart for
 * the policies being analysed). Atoms build the concrete fields for one side of a
 * comparison, because the same abstract request ("a token with grant `ci`") carries the old
 * grant on the old side and the new one on the new side.
 */
import type { EffectivePolicy } from "../../bounds/effective.ts";
import type { MutableRequestFacts, RequestFacts } from "../../ir/facts.ts";
import type { Atom, Getter } from "./explore.ts";

/** Which policy of a comparison: 0 old, 1 new. A single-policy analysis uses side 0 twice. */
export type Side = 0 | 1;

/** An atom of the request space. */
export interface RequestAtom extends Atom {
  /** The request fields this atom fixes, on one side; may read other dimensions. */
  readonly facts: (side: Side, get: Getter<RequestAtom>) => Partial<MutableRequestFacts>;
  /**
   * For a valid token's atom, the names of the grants whose tokens it stands for (they decide
   * alike); the first is the one its facts carry.
   */
  readonly grants?: readonly string[];
}

/** The dimensions, in the order reports list them. */
export const DIMENSIONS = [
  "host",
  "ip",
  "country",
  "tls",
  "method",
  "path",
  "token",
  "credential",
  "session",
  "cookie",
  "html",
  "upgrade",
  "origin",
  "contentType",
] as const;

export type Dimension = (typeof DIMENSIONS)[number];

/** Which dimension owns each request field. */
export const FIELD_DIMENSION: Readonly<Record<keyof RequestFacts, Dimension>> = {
  host: "host",
  method: "method",
  path: "path",
  clientIp: "ip",
  country: "country",
  secure: "tls",
  tlsVersion: "tls",
  acceptsHtml: "html",
  upgrade: "upgrade",
  // The addressed port matters only to the same-origin test of Origin/Referer (S-W2).
  port: "origin",
  origin: "origin",
  referer: "origin",
  contentType: "contentType",
  // Only the logout endpoint reads it (S-R12), as it reads the method.
  methodOverride: "method",
  token: "token",
  challengeCookie: "cookie",
  session: "session",
  clientCredential: "credential",
};

/** The two policies of a comparison (the same one twice for single-policy analyses). */
export type PolicyPair = readonly [EffectivePolicy, EffectivePolicy];

/** A request atom with fixed fields on both sides. */
export function constantAtom(
  id: string,
  label: string,
  fields: Partial<MutableRequestFacts>,
): RequestAtom {
  return { id, label, facts: () => fields };
}
