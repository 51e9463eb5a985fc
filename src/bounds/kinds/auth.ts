/**
 * Edge authentication and public access (SPEC S-A2): `forbidden` admits no public tunnel;
 * `auth-required` admits public tunnels only with an auth mode, and a public HTTP tunnel that
 * names no auth mode at all gets the plan's defaults (basic: token auth; pro and enterprise:
 * token auth and rstream Auth). Under `allowed`, a silent tunnel has no edge auth.
 */
import type { ProjectIr, TunnelIr } from "../../ir/types.ts";
import type { EffectiveAuth, RuleRef } from "../effective.ts";
import type { Incompatible } from "../incompatible.ts";
import { isHttpFamily, terminatesTls } from "../protocol.ts";
import { defaultRule, projectRule, propertySpan, tunnelRule } from "../rules.ts";

/** The auth modes a plan fills in for a silent public tunnel under `auth-required`. */
export function planAuthDefaults(plan: ProjectIr["plan"]): {
  token: boolean;
  rstreamAuth: boolean;
} {
  return { token: true, rstreamAuth: plan !== "basic" };
}

function namesNoAuthMode(tunnel: TunnelIr): boolean {
  return tunnel.tokenAuth === null && tunnel.rstreamAuth === null && tunnel.mtls === null;
}

function forbidden(project: ProjectIr, tunnel: TunnelIr): Incompatible {
  return {
    kind: "public-tunnel-forbidden",
    tunnelId: tunnel.id,
    path: ["publish"],
    left: { ...projectRule(project, "public_access"), describe: "public access `forbidden`" },
    right: { ...tunnelRule(tunnel, "publish"), describe: "a public tunnel" },
  };
}

function withoutAuth(project: ProjectIr, tunnel: TunnelIr): Incompatible {
  const explicit =
    tunnel.tokenAuth !== null
      ? "token_auth"
      : tunnel.rstreamAuth !== null
        ? "rstream_auth"
        : "publish";
  return {
    kind: "public-tunnel-without-auth",
    tunnelId: tunnel.id,
    path: [explicit],
    left: { ...projectRule(project, "public_access"), describe: "public access `auth-required`" },
    right: { ...tunnelRule(tunnel, explicit), describe: "a public tunnel without authentication" },
  };
}

function modeRule(
  tunnel: TunnelIr,
  set: boolean | null,
  property: "token_auth" | "rstream_auth",
  fill: RuleRef | null,
): RuleRef {
  return set === null && fill !== null ? fill : tunnelRule(tunnel, property);
}

/** The auth modes a tunnel ends up with, and the rules that filled the silent ones. */
interface AuthModes {
  readonly token: boolean;
  readonly rstreamAuth: boolean;
  readonly mtls: { readonly ca: string } | null;
  readonly tokenFill: RuleRef | null;
  readonly rstreamFill: RuleRef | null;
}

/** The modes of a tunnel that gets no defaults (shared: bounds asks once per tunnel). */
const NO_DEFAULTS = { token: false, rstreamAuth: false } as const;

function authModes(project: ProjectIr, tunnel: TunnelIr): AuthModes {
  const http = isHttpFamily(tunnel.protocol);
  const filling =
    http && tunnel.publish && project.publicAccess === "auth-required" && namesNoAuthMode(tunnel);
  const defaults = filling ? planAuthDefaults(project.plan) : NO_DEFAULTS;
  // The project setting that made the defaults; only looked up when it did.
  const cause = filling ? propertySpan(project.spans, "public_access") : null;
  return {
    token: http && (tunnel.tokenAuth ?? defaults.token),
    rstreamAuth: http && (tunnel.rstreamAuth ?? defaults.rstreamAuth),
    mtls: terminatesTls(tunnel.protocol) ? tunnel.mtls : null,
    tokenFill: filling ? defaultRule("token_auth", cause) : null,
    rstreamFill: filling ? defaultRule("rstream_auth", cause) : null,
  };
}

/** The tunnel's effective edge auth under the project's public-access policy. */
export function intersectAuth(project: ProjectIr, tunnel: TunnelIr): EffectiveAuth | Incompatible {
  if (tunnel.publish && project.publicAccess === "forbidden") return forbidden(project, tunnel);
  const modes = authModes(project, tunnel);
  const unauthenticated = !modes.token && !modes.rstreamAuth && modes.mtls === null;
  if (tunnel.publish && project.publicAccess === "auth-required" && unauthenticated) {
    return withoutAuth(project, tunnel);
  }
  return {
    token: modes.token,
    rstreamAuth: modes.rstreamAuth,
    mtls: modes.mtls,
    forwardAuthorization: tunnel.forwardAuthorization ?? false,
    sessionAllow: tunnel.sessionAllow,
    members: project.members,
    membersRule: projectRule(project, "members"),
    tokenRule: modeRule(tunnel, tunnel.tokenAuth, "token_auth", modes.tokenFill),
    rstreamAuthRule: modeRule(tunnel, tunnel.rstreamAuth, "rstream_auth", modes.rstreamFill),
    mtlsRule: tunnelRule(tunnel, "mtls_auth"),
  };
}
