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

/** The modes of a tunnel that gets no defaults (shared: bounds asks once per tunnel). */
const NO_DEFAULTS = { token: false, rstreamAuth: false } as const;

/** Whether a silent public HTTP tunnel gets the plan's modes under `auth-required` (S-A2). */
function fillsDefaults(project: ProjectIr, tunnel: TunnelIr, http: boolean): boolean {
  return (
    http && tunnel.publish && project.publicAccess === "auth-required" && namesNoAuthMode(tunnel)
  );
}

/** The rule of a token or rstream Auth mode: the tunnel's, or the default the project caused. */
function modeRule(
  project: ProjectIr,
  tunnel: TunnelIr,
  property: "token_auth" | "rstream_auth",
  filling: boolean,
): RuleRef {
  const set = property === "token_auth" ? tunnel.tokenAuth : tunnel.rstreamAuth;
  if (!filling || set !== null) return tunnelRule(tunnel, property);
  // The project setting that made the defaults; only looked up when it did.
  return defaultRule(property, propertySpan(project.spans, "public_access"));
}

/**
 * The tunnel's effective edge auth under the project's public-access policy. Computed without
 * an object of intermediate modes: bounds asks it of every tunnel.
 */
export function intersectAuth(project: ProjectIr, tunnel: TunnelIr): EffectiveAuth | Incompatible {
  if (tunnel.publish && project.publicAccess === "forbidden") return forbidden(project, tunnel);
  const http = isHttpFamily(tunnel.protocol);
  const filling = fillsDefaults(project, tunnel, http);
  const defaults = filling ? planAuthDefaults(project.plan) : NO_DEFAULTS;
  const token = http && (tunnel.tokenAuth ?? defaults.token);
  const rstreamAuth = http && (tunnel.rstreamAuth ?? defaults.rstreamAuth);
  const mtls = terminatesTls(tunnel.protocol) ? tunnel.mtls : null;
  const unauthenticated = !token && !rstreamAuth && mtls === null;
  if (tunnel.publish && project.publicAccess === "auth-required" && unauthenticated) {
    return withoutAuth(project, tunnel);
  }
  return {
    token,
    rstreamAuth,
    mtls,
    forwardAuthorization: tunnel.forwardAuthorization ?? false,
    sessionAllow: tunnel.sessionAllow,
    members: project.members,
    membersRule: projectRule(project, "members"),
    tokenRule: modeRule(project, tunnel, "token_auth", filling),
    rstreamAuthRule: modeRule(project, tunnel, "rstream_auth", filling),
    mtlsRule: tunnelRule(tunnel, "mtls_auth"),
  };
}
