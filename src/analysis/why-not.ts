/**
 * Why-not for a denied request (issue #8): the smallest set of request conditions that must
 * change for the request to be forwarded, the concrete alternatives for them ("allowed if the
 * client were in 198.51.100.0/24"), and, when a valid token lacked scope, the grant change
 * that would allow it. Exact: the search explores the interpreter's decision tree with every
 * other part of the request held at its actual value, trying one changed dimension, then two,
 * then three; each alternative carries a witness request the interpreter forwards.
 */
import type { EffectivePolicy } from "../bounds/effective.ts";
import type { Decision } from "../ir/decision.ts";
import type { RequestFacts } from "../ir/facts.ts";
import { normalizePath } from "../ir/path.ts";
import { interpret } from "../interpret/request.ts";
import { nonClientAddresses } from "./admits.ts";
import { describeDecision, isForwarded } from "./decision-key.ts";
import { UNRESTRICTED_GRANT } from "./space/auth-atoms.ts";
import type { MutableRequestFacts } from "../ir/facts.ts";
import type { Dimension, RequestAtom } from "./space/atoms.ts";
import { DIMENSIONS, FIELD_DIMENSION } from "./space/atoms.ts";
import { explore } from "./space/explore.ts";
import { RequestSpace } from "./space/request-space.ts";

/** One way to change the request so that it is forwarded. */
export interface WhyNotAlternative {
  /** The new value of each changed dimension. */
  readonly changes: readonly { readonly dimension: Dimension; readonly to: string }[];
  /** The changed request, which the interpreter forwards. */
  readonly witness: RequestFacts;
}

/** The answer to "why was this request not forwarded, and what would change that?". */
export interface WhyNot {
  readonly decision: Decision;
  /** The dimensions of the smallest change that allows the request (empty when allowed or hopeless). */
  readonly failed: readonly Dimension[];
  /** Concrete alternatives over exactly those dimensions (at most `MAX_ALTERNATIVES`). */
  readonly alternatives: readonly WhyNotAlternative[];
  /** Policy changes that would allow the request as it is (a grant's scope). */
  readonly policyChanges: readonly string[];
}

const MAX_CHANGED = 3;
const MAX_ALTERNATIVES = 6;
// The host picks the tunnel: changing it answers a different question.
const CHANGEABLE = DIMENSIONS.filter((d) => d !== "host");

function currentAtoms(
  facts: RequestFacts,
  classes: ReadonlyMap<Dimension, string>,
): Map<string, RequestAtom> {
  const byDimension = new Map<Dimension, Partial<MutableRequestFacts>>();
  for (const [field, dimension] of Object.entries(FIELD_DIMENSION) as [
    keyof RequestFacts,
    Dimension,
  ][]) {
    const fields = byDimension.get(dimension) ?? {};
    (fields as Record<string, unknown>)[field] = facts[field];
    byDimension.set(dimension, fields);
  }
  return new Map(
    [...byDimension].map(([d, fields]) => [
      d,
      { id: classes.get(d) ?? `${d}:as-sent`, label: "as sent", facts: () => fields },
    ]),
  );
}

function subsets(size: number): Dimension[][] {
  const out: Dimension[][] = [];
  const walk = (start: number, chosen: Dimension[]): void => {
    if (chosen.length === size) {
      out.push(chosen);
      return;
    }
    for (let i = start; i < CHANGEABLE.length; i++)
      walk(i + 1, [...chosen, CHANGEABLE[i] as Dimension]);
  };
  walk(0, []);
  return out;
}

/** Forwarded requests that differ from `facts` only in the dimensions `free`. */
function alternativesOver(
  policy: EffectivePolicy,
  space: RequestSpace,
  current: Map<string, RequestAtom>,
  free: readonly Dimension[],
): WhyNotAlternative[] {
  const start = new Map([...current].filter(([d]) => !free.includes(d as Dimension)));
  const unchanged = new Set(current.values());
  const found: WhyNotAlternative[] = [];
  explore<RequestAtom, Decision>(start, {
    atoms: (d, get) => space.atoms(d, get),
    evaluate: (get) => interpret(space.policyFor(get("host").id, 0), space.lazyFacts(get, 0)),
    onLeaf: (assignment, decision) => {
      if (!isForwarded(decision) || found.length >= MAX_ALTERNATIVES) return;
      const changes = free.flatMap((d) => {
        const atom = assignment.get(d);
        return atom === undefined || unchanged.has(atom) || atom.id === current.get(d)?.id
          ? []
          : [{ dimension: d, to: atom.label }];
      });
      // A leaf that needed no change of some free dimension belongs to a smaller set.
      if (changes.length !== free.length) return;
      found.push({ changes, witness: space.concreteFacts(assignment, 0) });
    },
  });
  return found;
}

function grantChange(policy: EffectivePolicy, facts: RequestFacts, decision: Decision): string[] {
  const token = facts.token;
  if (decision.reason !== "insufficient_scope" || token === null || token.grant === null) return [];
  const widened = interpret(policy, {
    ...facts,
    token: { ...token, grant: { ...UNRESTRICTED_GRANT, name: token.grant.name } },
  });
  if (!isForwarded(widened)) return [];
  const normalized = normalizePath(facts.path);
  const path = normalized.ok ? normalized.path : facts.path;
  return [
    `the token's grant \`${token.grant.name}\` covered ${path} for ${facts.method} on this tunnel`,
  ];
}

/** Explains a decision: for a request that is not forwarded, what would let it through. */
export function whyNot(policy: EffectivePolicy, facts: RequestFacts): WhyNot {
  const decision = interpret(policy, facts);
  if (isForwarded(decision)) return { decision, failed: [], alternatives: [], policyChanges: [] };
  const space = new RequestSpace([policy, policy], { excludeIps: nonClientAddresses() });
  // The request's own values, under the ids of the classes they fall in: per-tunnel atoms
  // (addresses, countries, sessions) are keyed by the host class, path atoms by the grants
  // of the token and the client credential.
  const grantName = facts.token?.grant?.name ?? null;
  const classes = space.classify(
    facts,
    grantName !== null && policy.grants[grantName] !== undefined ? grantName : null,
  );
  const current = currentAtoms(facts, classes);
  const policyChanges = grantChange(policy, facts, decision);
  for (let size = 1; size <= MAX_CHANGED; size++) {
    for (const free of subsets(size)) {
      const alternatives = alternativesOver(policy, space, current, free);
      if (alternatives.length > 0) return { decision, failed: free, alternatives, policyChanges };
    }
  }
  return { decision, failed: [], alternatives: [], policyChanges };
}

const DIMENSION_WORDS: Readonly<Record<Dimension, string>> = {
  host: "host",
  ip: "client address",
  country: "country",
  tls: "TLS version",
  method: "method",
  path: "path",
  token: "token",
  credential: "client certificate",
  session: "rstream Auth session",
  cookie: "challenge cookie",
  html: "browser navigation",
  upgrade: "upgrade",
  origin: "Origin",
  contentType: "body type",
};

/** Why-not as lines for `rampart explain`. */
export function renderWhyNot(w: WhyNot): string {
  if (isForwarded(w.decision)) return "the request is forwarded\n";
  const lines = [`not forwarded: ${describeDecision(w.decision)} by \`${w.decision.rule}\``];
  if (w.failed.length === 0 && w.policyChanges.length === 0) {
    lines.push(`no change of up to ${MAX_CHANGED} request conditions lets it through`);
  }
  if (w.failed.length > 0) {
    lines.push(`failed: ${w.failed.map((d) => DIMENSION_WORDS[d]).join(", ")}`);
    const options = w.alternatives.map((a) => a.changes.map((c) => c.to).join(" and "));
    lines.push(`allowed if ${options.length === 1 ? "" : "any of: "}${options.join("; or ")}`);
  }
  for (const change of w.policyChanges) lines.push(`allowed if ${change}`);
  return `${lines.join("\n")}\n`;
}
