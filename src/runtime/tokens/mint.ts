/**
 * `rampart token mint`: community HS256 tokens carrying a policy grant (S-T1…S-T3), and
 * derived tokens minted from a parent token, refused when they would widen it (S-H8) and
 * never outliving it (S-T6).
 */
import { createSecretKey, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { Diagnostic, Outcome } from "../../diagnostics/diagnostic.ts";
import { checkNarrowing } from "../../bounds/narrowing.ts";
import { reduceGrant } from "../../bounds/grants.ts";
import type { ActionIr, GrantIr, GrantNodeIr, TokenType } from "../../ir/types.ts";
import { invalidGrant, platformExtension, tokenWidensParent } from "../diagnostics.ts";
import { APP_TOKEN_MAX_LIFETIME, checkClaims } from "./claims-schema.ts";
import { grantToClaims } from "./grant-to-claims.ts";
import type { ExtensionUses } from "./grant-to-claims.ts";
import { JwtBackend } from "./jwt-backend.ts";

/** What to mint. */
export interface MintRequest {
  /** The community backend's HS256 shared secret (32 bytes or more). */
  readonly secret: string;
  readonly grant: GrantIr;
  /** Default: the grant's type, else `pat`. */
  readonly type?: TokenType;
  readonly subject?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Default 60 s for `app` and `auth`; `pat` tokens without a lifetime never expire. */
  readonly lifetimeSeconds?: number;
  /** For `app` tokens (S-T1). */
  readonly clientId?: string;
  /** For `auth` tokens (S-T1). */
  readonly userId?: string;
  /** Mint a derived token from this parent token (verified with the same secret). */
  readonly parentToken?: string;
  /**
   * The project the token is minted for (S-T8): its boundary is narrowed to name it
   * explicitly, so the token is accepted there even when nobody answers membership.
   */
  readonly project?: string;
  /** Write only claims the platform itself accepts; refuse a grant that needs an extension. */
  readonly platform?: boolean;
  readonly now?: () => number;
}

const DEFAULT_SHORT_LIFETIME = 60;

/** Mints a token; every refusal is a diagnostic. */
export async function mintToken(request: MintRequest): Promise<Outcome<string>> {
  if (request.secret.length < 32)
    return fail(invalidGrant("the shared secret must be at least 32 bytes"));
  const now = Math.floor((request.now ?? Date.now)() / 1000);
  const type = request.type ?? request.grant.type ?? "pat";
  const expiry = expiryOf(request, type, now);
  if ("code" in expiry) return fail(expiry);
  let exp = expiry.exp;
  let grant = request.grant;
  if (request.parentToken !== undefined) {
    const derived = await deriveFromParent(request, grant, exp, now);
    if ("code" in derived) return fail(derived);
    ({ grant, exp } = derived);
  }
  if (request.project !== undefined) grant = namingProject(grant, request.project);
  const extensions: ExtensionUses = [];
  const claims = claimsOf(
    request,
    type,
    grant,
    now,
    exp,
    request.platform ? extensions : undefined,
  );
  if (request.platform && extensions.length > 0) return fail(platformExtension(extensions));
  const checked = checkClaims(claims);
  if (!checked.ok) return fail(invalidGrant(checked.reason));
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" });
  if (request.issuer !== undefined) jwt = jwt.setIssuer(request.issuer);
  if (request.audience !== undefined) jwt = jwt.setAudience(request.audience);
  return { value: await jwt.sign(Buffer.from(request.secret, "utf8")), diagnostics: [] };
}

/** The token's `exp` (null: never) from the requested lifetime, the type's rules and the grant's expiry. */
function expiryOf(
  request: MintRequest,
  type: TokenType,
  now: number,
): { exp: number | null } | Diagnostic {
  const lifetime = request.lifetimeSeconds ?? (type === "pat" ? undefined : DEFAULT_SHORT_LIFETIME);
  if (lifetime !== undefined && (!Number.isInteger(lifetime) || lifetime < 1)) {
    return invalidGrant("the lifetime must be a whole number of seconds, at least 1");
  }
  if (type === "app" && (lifetime ?? 0) > APP_TOKEN_MAX_LIFETIME)
    return invalidGrant("an application token lives at most 3600 seconds");
  let exp = lifetime === undefined ? null : now + lifetime;
  if (request.grant.expiresAt !== null) exp = Math.min(exp ?? Infinity, request.grant.expiresAt);
  if (exp !== null && exp <= now)
    return invalidGrant(`grant \`${request.grant.name}\` has expired`);
  return { exp };
}

/** S-H8, S-T6: the grant and expiry a derived token carries, or why it cannot be minted. */
async function deriveFromParent(
  request: MintRequest,
  child: GrantIr,
  requestedExp: number | null,
  now: number,
): Promise<{ grant: GrantIr; exp: number | null } | Diagnostic> {
  const parent = await verifyParent(request, now);
  if ("code" in parent) return parent;
  // A derived token never outlives its parent: its lifetime is cut to the parent's.
  const exp = parent.exp === null ? requestedExp : Math.min(requestedExp ?? parent.exp, parent.exp);
  const widenings = checkNarrowing(parent.grant, { ...child, expiresAt: exp });
  if (widenings.length > 0) {
    const certain = widenings.filter((w) => w.certain);
    return tokenWidensParent(
      (certain.length > 0 ? certain : widenings).map((w) => w.message).join("; "),
    );
  }
  // The token stands alone (it names no parent), so it carries the reduced grant itself.
  return { grant: reduceGrant(parent.grant, child), exp };
}

function claimsOf(
  request: MintRequest,
  type: TokenType,
  grant: GrantIr,
  now: number,
  exp: number | null,
  extensions: ExtensionUses | undefined,
): Record<string, unknown> {
  const { permissions, ...boundary } = grantToClaims(grant, extensions);
  if (extensions === undefined) {
    return {
      type,
      permissions,
      ...boundary,
      iat: now,
      jti: randomUUID(),
      ...(exp === null ? {} : { exp }),
      ...(request.subject === undefined ? {} : { sub: request.subject }),
      ...(request.clientId === undefined ? {} : { clientId: request.clientId }),
      ...(request.userId === undefined ? {} : { userId: request.userId }),
    };
  }
  // The platform's SDK parses each type strictly (PLATFORM-FORMATS §2.2): a PAT carries no
  // `permissions` (its permissions live with the stored credential), `clientId` belongs to
  // `app` and `userId` to `auth`.
  if (type === "pat" && permissions !== null)
    extensions.push(
      "a platform PAT carries no `permissions` claim (they belong to its credential)",
    );
  return {
    type,
    ...(type === "pat" ? {} : { permissions }),
    ...boundary,
    iat: now,
    jti: randomUUID(),
    ...(exp === null ? {} : { exp }),
    ...(request.subject === undefined ? {} : { sub: request.subject }),
    ...(type === "app" && request.clientId !== undefined ? { clientId: request.clientId } : {}),
    ...(type === "auth" && request.userId !== undefined ? { userId: request.userId } : {}),
  };
}

/** Whether every grant the tree gives goes through a leaf that names `project`. */
function namesProject(node: GrantNodeIr, project: string): boolean {
  if (node.kind === "leaf") return node.projects?.includes(project) ?? false;
  return node.kind === "and"
    ? node.children.some((c) => namesProject(c, project))
    : node.children.every((c) => namesProject(c, project));
}

/**
 * The grant narrowed to `project` (S-T8): AND-ed with a leaf naming the project (which, having
 * no `scopes`, restricts nothing else); unchanged when its boundary names it already.
 */
function namingProject(grant: GrantIr, project: string): GrantIr {
  const target: GrantNodeIr = {
    kind: "leaf",
    workspaces: null,
    projects: [project],
    create: UNRESTRICTED,
    connect: UNRESTRICTED,
    list: UNRESTRICTED,
  };
  const resources = grant.resources;
  if (resources !== null && namesProject(resources, project)) return grant;
  return {
    ...grant,
    resources: resources === null ? target : { kind: "and", children: [resources, target] },
  };
}

const UNRESTRICTED: ActionIr = { filter: null, path: null, methods: null, select: null };

async function verifyParent(
  request: MintRequest,
  now: number,
): Promise<{ grant: GrantIr; exp: number | null } | Diagnostic> {
  const backend = new JwtBackend(
    [
      {
        alg: "HS256",
        key: createSecretKey(Buffer.from(request.secret, "utf8")),
        label: "secret",
        clientId: null,
      },
    ],
    {
      publicKeys: [],
      clockSkewSeconds: 0,
      cacheSize: 0,
      ...(request.issuer === undefined ? {} : { issuer: request.issuer }),
      ...(request.audience === undefined ? {} : { audience: request.audience }),
    },
    () => now * 1000,
  );
  const facts = await backend.verify(request.parentToken ?? "", "header");
  if (facts.status !== "valid" || facts.grant === null)
    return invalidGrant(`the parent token is ${facts.status.replaceAll("_", " ")}`);
  return { grant: facts.grant, exp: facts.grant.expiresAt };
}

const fail = (d: Diagnostic): Outcome<string> => ({ value: undefined, diagnostics: [d] });
