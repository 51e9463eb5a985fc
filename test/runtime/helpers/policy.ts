/**
 * Hand-built effective policies for runtime tests, compiled by the compiler (what `rampart
 * serve` runs) or decided by the reference interpreter: the runtime acts on decisions, so
 * either exercises it.
 */
import type { CompiledPolicy, CompiledTunnel } from "../../../src/compile/engine.ts";
import { compilePolicy } from "../../../src/compile/compile-policy.ts";
import type { EffectivePolicy, EffectiveTunnel, RuleRef } from "../../../src/bounds/effective.ts";
import type { CredentialIr, GrantIr, IpSet } from "../../../src/ir/types.ts";
import {
  interpret,
  interpretConnection,
  interpretHandshake,
  routeRequest,
  routeServerName,
} from "../../../src/interpret/index.ts";

const ref = (rule: string): RuleRef => ({ rule, origin: null });

/** A published HTTP tunnel with everything off; override what a test needs. */
export function tunnel(
  overrides: Partial<EffectiveTunnel> & { id: string; hosts: string[] },
): EffectiveTunnel {
  const id = overrides.id;
  return {
    projectId: "acme",
    workspace: "ws-1",
    plan: "enterprise",
    name: id,
    labels: {},
    protocol: "http",
    publish: true,
    upstream: null,
    ipRules: [],
    allowedIps: null,
    countryRules: [],
    allowedCountries: null,
    tls: {
      terminated: true,
      storedMin: "1.2",
      runtimeMin: "1.2",
      postQuantum: { mode: "off", fips: false },
      ech: "off",
      minRule: ref(`tunnel:${id}.tls_min_version`),
      postQuantumRule: ref(`tunnel:${id}.post_quantum`),
      echRule: ref(`tunnel:${id}.ech`),
    },
    auth: {
      token: false,
      rstreamAuth: false,
      mtls: null,
      forwardAuthorization: false,
      sessionAllow: null,
      members: null,
      membersRule: ref("project.members"),
      tokenRule: ref(`tunnel:${id}.token_auth`),
      rstreamAuthRule: ref(`tunnel:${id}.rstream_auth`),
      mtlsRule: ref(`tunnel:${id}.mtls_auth`),
    },
    challenge: false,
    challengeRule: ref(`tunnel:${id}.challenge_mode`),
    origin: null,
    ...overrides,
  };
}

/** Token auth on. */
export function withToken(t: EffectiveTunnel, forwardAuthorization = false): EffectiveTunnel {
  return { ...t, auth: { ...t.auth, token: true, forwardAuthorization } };
}

/** A trusted-IP list on the tunnel. */
export function withTrustedIps(t: EffectiveTunnel, cidrs: string[]): EffectiveTunnel {
  const set: IpSet = {
    ranges: cidrs.map((cidr) => ({ family: cidr.includes(":") ? 6 : 4, cidr })),
  };
  return { ...t, ipRules: [{ ...ref(`tunnel:${t.id}.trusted_ips`), set }], allowedIps: set };
}

/** A GeoIP allow-list on the tunnel. */
export function withCountries(t: EffectiveTunnel, codes: string[]): EffectiveTunnel {
  const set = { codes };
  return { ...t, countryRules: [{ ...ref(`tunnel:${t.id}.geo_ip`), set }], allowedCountries: set };
}

/** An effective policy around tunnels. */
export function effectivePolicy(
  tunnels: EffectiveTunnel[],
  grants: Record<string, GrantIr> = {},
  credentials: CredentialIr[] = [],
): EffectivePolicy {
  return {
    source: "test.rampart",
    projectId: "acme",
    workspace: "ws-1",
    plan: "enterprise",
    publicAccess: "allowed",
    tunnels,
    grants,
    credentials,
    tests: [],
  };
}

/** Decisions for a policy, from the compiler (what `rampart serve` runs). */
export function compiledPolicy(policy: EffectivePolicy): CompiledPolicy {
  return compilePolicy(policy);
}

/** Decisions for a policy, from the reference interpreter (the oracle). */
export function interpretedPolicy(policy: EffectivePolicy): CompiledPolicy {
  const compiledTunnel = (t: EffectiveTunnel): CompiledTunnel => ({
    tunnel: t,
    handshake: (facts) => interpretHandshake(policy, facts).decision,
    request: (facts) => interpret(policy, facts),
    connection: (facts) => interpretConnection(policy, t, facts),
  });
  return {
    policy,
    route: (host) => {
      const t = routeRequest(policy, host);
      return t === null ? null : compiledTunnel(t);
    },
    request: (facts) => interpret(policy, facts),
    tunnelById: (id) => {
      const t = policy.tunnels.find((x) => x.id === id);
      return t === undefined ? null : compiledTunnel(t);
    },
    handshake: (facts) => {
      const t = routeServerName(policy, facts.sni);
      if (t === null) {
        return {
          allow: false,
          policy: null,
          rule: "route",
          origin: null,
          message: "unknown server name",
        };
      }
      return interpretHandshake(policy, facts).decision;
    },
  };
}
