/**
 * Atoms of the credential dimensions: bearer tokens (by where they travel, their status and
 * their grant), mTLS credentials and rstream Auth sessions (SPEC S-H1…S-H6). A token atom
 * names a grant, and takes that grant from each side's policy: a token minted with grant `ci`
 * carries the old `ci` on the old side and the new `ci` on the new side. A grant missing on a
 * side leaves a valid token with no grant, which the interpreter refuses (fail closed).
 */
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import type { SessionFacts, TokenFacts } from "../../ir/facts.ts";
import type { GrantIr, SessionAllowIr } from "../../ir/types.ts";
import { sessionAllowed } from "../../interpret/credentials.ts";
import type { PolicyPair, RequestAtom } from "./atoms.ts";
import { constantAtom } from "./atoms.ts";

// The interpreter answers every invalid status alike except `expired` (S-D3 reasons), and
// reads a token the same wherever it travelled (S-H1); the atoms follow that, and the
// exactness property test (which varies both) keeps them honest.
const INVALID_KINDS = [
  {
    id: "invalid",
    status: "bad_signature",
    label: "an invalid token (malformed, badly signed or not yet valid)",
  },
  { id: "expired", status: "expired", label: "an expired token" },
] as const;

/** The grant of a token minted outside the policy's named grants, which allows everything. */
export const UNRESTRICTED_GRANT: GrantIr = {
  name: "*",
  type: null,
  parent: null,
  expiresAt: null,
  permissions: null,
  resources: null,
  spans: {},
};
const UNRESTRICTED = "*";

/**
 * A witness token's facts. Its owner belongs to the policies' projects (S-T8), as a credential
 * backend would say: the atoms describe what a grant allows a member; ownership itself is a
 * per-token fact, not a policy difference.
 */
function tokenFacts(
  source: "header" | "query",
  grant: GrantIr | null,
  name: string,
  memberOf: readonly string[],
): TokenFacts {
  return {
    source,
    status: "valid",
    id: `witness-${name}`,
    type: grant?.type ?? "pat",
    lifetimeSeconds: 300,
    grant,
    subject: "witness-user",
    owner: { kind: "user", id: "witness-user" },
    memberOf,
  };
}

/** The valid token of the `token:grant:*` atom: minted outside the policy, it allows everything. */
export function unrestrictedToken(memberOf: readonly string[]): TokenFacts {
  return tokenFacts("header", UNRESTRICTED_GRANT, UNRESTRICTED, memberOf);
}

/** The project ids a witness token's owner belongs to: every version's project. */
function membersOf(policies: PolicyPair): string[] {
  return [...new Set(policies.map((p) => p.projectId))];
}

/** No token, an invalid one, an expired one: the atoms before the grants. */
function leadingTokenAtoms(): RequestAtom[] {
  const atoms: RequestAtom[] = [constantAtom("token:none", "no token", { token: null })];
  for (const kind of INVALID_KINDS) {
    const token: TokenFacts = {
      source: "header",
      status: kind.status,
      id: null,
      type: null,
      lifetimeSeconds: null,
      grant: null,
      subject: null,
    };
    atoms.push(constantAtom(`token:${kind.id}`, kind.label, { token }));
  }
  return atoms;
}

/** A valid token whose grant no version defines, and one minted with an unrestricted grant. */
function trailingTokenAtoms(memberOf: readonly string[]): RequestAtom[] {
  return [
    constantAtom("token:unknown-grant", "a valid token whose grant no version defines", {
      token: tokenFacts("header", null, "unknown", memberOf),
    }),
    {
      ...constantAtom(`token:grant:${UNRESTRICTED}`, "a token with an unrestricted grant", {
        token: unrestrictedToken(memberOf),
      }),
      grants: [UNRESTRICTED],
    },
  ];
}

/**
 * The atom of valid tokens carrying any of `names` (grants equal on both versions apart from
 * their names, so their tokens decide alike); its facts carry the first.
 */
function grantTokenAtom(
  policies: PolicyPair,
  names: readonly string[],
  memberOf: readonly string[],
): RequestAtom {
  const [name = ""] = names;
  const alike =
    names.length === 1 ? "" : ` (or any of ${names.length - 1} grants equal to it but in name)`;
  return {
    id: `token:grant:${name}`,
    label: `a token with grant \`${name}\`${alike}`,
    facts: (side) => ({
      token: tokenFacts("header", policies[side].grants[name] ?? null, name, memberOf),
    }),
    grants: names,
  };
}

/** Token atoms: none; invalid; expired; a valid token per grant name, and an unrestricted one. */
export function tokenAtoms(policies: PolicyPair): RequestAtom[] {
  const names = [...new Set(policies.flatMap((p) => Object.keys(p.grants)))].sort();
  const memberOf = membersOf(policies);
  return [
    ...leadingTokenAtoms(),
    ...names.map((n) => grantTokenAtom(policies, [n], memberOf)),
    ...trailingTokenAtoms(memberOf),
  ];
}

/**
 * The token atoms that carry no grant of the policies (none, invalid, expired, a grant no
 * version defines, an unrestricted one), with the ids they have among `tokenAtoms` and
 * `classedTokenAtoms`: enough to look for a forwarded request without the grants.
 */
export function grantFreeTokenAtoms(policies: PolicyPair): RequestAtom[] {
  return [...leadingTokenAtoms(), ...trailingTokenAtoms(membersOf(policies))];
}

/** The id of the atom of tokens whose grant connects to the routed tunnel on neither side. */
export const OTHER_GRANTS_TOKEN = "token:other-grants";

/**
 * Token atoms for one host class in classes (issue #19): a token whose grant may connect to
 * the routed tunnel on neither side is refused there alike whatever its grant says (the
 * interpreter's `unauthorized`, and the space cuts its paths by no grant), so all of them are
 * one atom, with `others.standIn` as its witness; the grants that may connect come in
 * `groups` of grants equal but in name. The atoms are as many as the grants that reach the
 * tunnel, not as the policy's grants.
 */
export function classedTokenAtoms(
  policies: PolicyPair,
  groups: readonly (readonly string[])[],
  others: { readonly standIn: string; readonly count: number } | null,
): RequestAtom[] {
  const memberOf = membersOf(policies);
  const atoms = [
    ...leadingTokenAtoms(),
    ...groups.map((names) => grantTokenAtom(policies, names, memberOf)),
  ];
  if (others !== null) {
    const { standIn, count } = others;
    atoms.push({
      id: OTHER_GRANTS_TOKEN,
      label: `a token whose grant connects to this tunnel on neither version (${count} grant${count === 1 ? "" : "s"}, like \`${standIn}\`)`,
      facts: (side) => ({
        token: tokenFacts("header", policies[side].grants[standIn] ?? null, standIn, memberOf),
      }),
      grants: [standIn],
    });
  }
  return [...atoms, ...trailingTokenAtoms(memberOf)];
}

/**
 * The atom id of a concrete token, given the name of its grant (`*` for unrestricted) and the
 * grant names the policies define.
 */
export function classifyToken(
  token: TokenFacts | null,
  grantName: string | null,
  known: ReadonlySet<string>,
): string {
  if (token === null) return "token:none";
  if (token.status === "expired") return "token:expired";
  if (token.status !== "valid") return "token:invalid";
  const name = grantName ?? UNRESTRICTED;
  return name === UNRESTRICTED || known.has(name) ? `token:grant:${name}` : "token:unknown-grant";
}

/** mTLS atoms: no certificate, each credential, and a certificate no credential matches. */
export function credentialAtoms(policies: PolicyPair): RequestAtom[] {
  const names = [...new Set(policies.flatMap((p) => p.credentials.map((c) => c.name)))].sort();
  return [
    constantAtom("credential:none", "no client certificate", { clientCredential: null }),
    ...names.map((n) =>
      constantAtom(`credential:${n}`, `client certificate of credential \`${n}\``, {
        clientCredential: n,
      }),
    ),
    constantAtom("credential:unknown", "a client certificate no credential names", {
      clientCredential: "unknown-credential",
    }),
  ];
}

/** The atom id of a concrete credential name. */
export function classifyCredential(policies: PolicyPair, name: string | null): string {
  if (name === null) return "credential:none";
  return policies.some((p) => p.credentials.some((c) => c.name === name))
    ? `credential:${name}`
    : "credential:unknown";
}

function user(email: string | null, groups: readonly string[]): SessionFacts {
  return { userId: "witness-user", name: null, email, image: null, groups };
}

function allowLists(tunnels: readonly (EffectiveTunnel | null)[]): (SessionAllowIr | null)[] {
  return tunnels.map((t) => t?.auth.sessionAllow ?? null);
}

function sessionKey(allows: readonly (SessionAllowIr | null)[], session: SessionFacts): string {
  return `session:${allows.map((a) => (sessionAllowed(a, session) ? "1" : "0")).join("")}`;
}

/**
 * Session atoms for the routed tunnels: no session, and one signed-in user per combination of
 * the tunnels' allow lists that some user can meet (emails, domains and groups are ORed).
 */
export function sessionAtoms(tunnels: readonly (EffectiveTunnel | null)[]): RequestAtom[] {
  // `checkSession` never looks at a session when rstream Auth is off.
  if (!sessionUsed(tunnels)) return [SESSION_UNUSED];
  const allows = allowLists(tunnels);
  const emails = allows.flatMap((a) => [
    ...(a?.emails ?? []),
    ...(a?.domains ?? []).map((d) => `user@${d}`),
  ]);
  const groups = [...new Set(allows.flatMap((a) => a?.groups ?? []))];
  const candidates: SessionFacts[] = [];
  for (const email of [...new Set(emails), "someone@unlisted.invalid", null]) {
    for (const g of [[], ...groups.map((x) => [x]), groups]) candidates.push(user(email, g));
  }
  const atoms = new Map<string, RequestAtom>();
  for (const session of candidates) {
    const id = sessionKey(allows, session);
    if (atoms.has(id)) continue;
    const who = [
      session.email ?? "a user without email",
      ...(session.groups.length > 0 ? [`in groups ${session.groups.join(", ")}`] : []),
    ];
    atoms.set(id, constantAtom(id, `signed in as ${who.join(" ")}`, { session }));
  }
  return [
    constantAtom("session:none", "no rstream Auth session", { session: null }),
    ...atoms.values(),
  ];
}

const SESSION_UNUSED = constantAtom("session:unused", "any session (rstream Auth is off)", {
  session: null,
});

function sessionUsed(tunnels: readonly (EffectiveTunnel | null)[]): boolean {
  return tunnels.some((t) => t?.auth.rstreamAuth === true);
}

/** The atom id of a concrete session. */
export function classifySession(
  tunnels: readonly (EffectiveTunnel | null)[],
  session: SessionFacts | null,
): string {
  if (!sessionUsed(tunnels)) return SESSION_UNUSED.id;
  return session === null ? "session:none" : sessionKey(allowLists(tunnels), session);
}
