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
import { defaultRule, projectRule, tunnelRule } from "../rules.ts";

/** The auth modes a plan fills in for a silent public tunnel under `auth-required`. */
export function planAuthDefaults(plan: ProjectIr["plan"]): { token: boolean; rstreamAuth: boolean } {
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
  const explicit = tunnel.tokenAuth !== null ? "token_auth" : tunnel.rstreamAuth !== null ? "rstream_auth" : "publish";
  return {
    kind: "public-tunnel-without-auth",
    tunnelId: tunnel.id,
    path: [explicit],
    left: { ...projectRule(project, "public_access"), describe: "public access `auth-required`" },
    right: { ...tunnelRule(tunnel, explicit), describe: "a public tunnel without authentication" },
  };
}

function modeRule(tunnel: TunnelIr, set: boolean | null, property: "token_auth" | "rstream_auth", fill: RuleRef | null): RuleRef {
  return set === null && fill !== null ? fill : tunnelRule(tunnel, property);
}

/** The tunnel's effective edge auth under the project's public-access policy. */
export function intersectAuth(project: ProjectIr, tunnel: TunnelIr): EffectiveAuth | Incompatible {
  const isPublic = tunnel.publish;
  if (isPublic && project.publicAccess === "forbidden") return forbidden(project, tunnel);
  const http = isHttpFamily(tunnel.protocol);
  const filling = http && isPublic && project.publicAccess === "auth-required" && namesNoAuthMode(tunnel);
  const defaults = filling ? planAuthDefaults(project.plan) : { token: false, rstreamAuth: false };
  const fillRule = filling ? defaultRule("token_auth", projectRule(project, "public_access").origin) : null;
  const token = http && (tunnel.tokenAuth ?? defaults.token);
  const rstreamAuth = http && (tunnel.rstreamAuth ?? defaults.rstreamAuth);
  const mtls = terminatesTls(tunnel.protocol) ? tunnel.mtls : null;
  if (isPublic && project.publicAccess === "auth-required" && !token && !rstreamAuth && mtls === null) {
    return withoutAuth(project, tunnel);
  }
  const rstreamFill = filling ? defaultRule("rstream_auth", fillRule?.origin ?? null) : null;
  return {
    token,
    rstreamAuth,
    mtls,
    forwardAuthorization: tunnel.forwardAuthorization ?? false,
    sessionAllow: tunnel.sessionAllow,
    tokenRule: modeRule(tunnel, tunnel.tokenAuth, "token_auth", fillRule),
    rstreamAuthRule: modeRule(tunnel, tunnel.rstreamAuth, "rstream_auth", rstreamFill),
    mtlsRule: tunnelRule(tunnel, "mtls_auth"),
  };
}
