/**
 * Small builders for IR values and request facts with safe defaults, for tests (ours and
 * users'). Each takes partial overrides; the defaults describe a plain public HTTP tunnel in
 * an enterprise project with nothing restricted.
 */
import type { HandshakeFacts, RequestFacts, TokenFacts } from "../ir/facts.ts";
import { normalizeIpSet, parseIpEntry } from "../ir/ip.ts";
import type {
  ActionIr,
  CountrySet,
  CredentialIr,
  GrantIr,
  GrantNodeIr,
  IpRange,
  IpSet,
  PolicyIr,
  PolicyTestIr,
  ProjectIr,
  TestRequestIr,
  TunnelIr,
} from "../ir/types.ts";

/** A canonical trusted-IP set from address / CIDR texts; throws on a bad entry (test input). */
export function ipSet(...entries: string[]): IpSet {
  const ranges: IpRange[] = entries.map((entry) => {
    const parsed = parseIpEntry(entry);
    if (!parsed.ok) throw new Error(`bad IP entry in a test: ${entry}: ${parsed.reason}`);
    return parsed.range;
  });
  return normalizeIpSet(ranges);
}

/** A canonical country set. */
export function countrySet(...codes: string[]): CountrySet {
  return { codes: [...new Set(codes.map((c) => c.toUpperCase()))].sort() };
}

/** A project IR. */
export function projectIr(overrides: Partial<ProjectIr> = {}): ProjectIr {
  return {
    id: "proj",
    name: null,
    workspace: "ws",
    plan: "enterprise",
    publicAccess: "allowed",
    members: null,
    trustedIps: null,
    countries: null,
    tlsMin: null,
    postQuantum: null,
    ech: null,
    spans: {},
    ...overrides,
  };
}

/** A tunnel IR: public HTTP on `<id>.example.com`, no properties set. */
export function tunnelIr(overrides: Partial<TunnelIr> = {}): TunnelIr {
  const id = overrides.id ?? "web";
  return {
    id,
    name: null,
    labels: {},
    protocol: "http",
    hosts: [`${id}.example.com`],
    publish: true,
    upstream: "http://127.0.0.1:8080",
    tokenAuth: null,
    rstreamAuth: null,
    mtls: null,
    challenge: null,
    forwardAuthorization: null,
    sessionAllow: null,
    trustedIps: null,
    countries: null,
    tlsMin: null,
    postQuantum: null,
    ech: null,
    spans: {},
    ...overrides,
  };
}

/** An action with nothing restricted. */
export function actionIr(overrides: Partial<ActionIr> = {}): ActionIr {
  return { filter: null, path: null, methods: null, select: null, ...overrides };
}

/** A grant leaf; actions default to not granted. */
export function grantLeaf(
  overrides: Partial<Omit<Extract<GrantNodeIr, { kind: "leaf" }>, "kind">> = {},
): GrantNodeIr {
  return {
    kind: "leaf",
    workspaces: null,
    projects: null,
    create: null,
    connect: null,
    list: null,
    ...overrides,
  };
}

/** A grant; by default everything the owner has. */
export function grantIr(overrides: Partial<GrantIr> = {}): GrantIr {
  return {
    name: "g",
    type: null,
    parent: null,
    expiresAt: null,
    permissions: null,
    resources: null,
    spans: {},
    ...overrides,
  };
}

/** A client-certificate credential. */
export function credentialIr(overrides: Partial<CredentialIr> = {}): CredentialIr {
  return { name: "cert", subjectCn: "client", fingerprint256: null, grant: "g", ...overrides };
}

/** A whole policy IR. */
export function policyIr(overrides: Partial<PolicyIr> = {}): PolicyIr {
  return {
    source: "test.rampart",
    project: projectIr(),
    tunnels: [tunnelIr()],
    grants: [],
    credentials: [],
    tests: [],
    ...overrides,
  };
}

/**
 * Facts of a valid token carrying `grant`, sent in the header. Its owner is a member of the
 * builders' project `proj`, as a credential backend would say (S-T8); override `memberOf`
 * (and `owner`) to test ownership.
 */
export function validToken(grant: GrantIr, overrides: Partial<TokenFacts> = {}): TokenFacts {
  return {
    source: "header",
    status: "valid",
    id: grant.name,
    type: grant.type,
    lifetimeSeconds: null,
    grant,
    subject: `subject:${grant.name}`,
    owner: { kind: "user", id: `subject:${grant.name}` },
    memberOf: ["proj"],
    ...overrides,
  };
}

/** Facts of a token that failed the runtime's checks. */
export function invalidToken(
  status: Exclude<TokenFacts["status"], "valid">,
  source: TokenFacts["source"] = "header",
): TokenFacts {
  return {
    source,
    status,
    id: null,
    type: null,
    lifetimeSeconds: null,
    grant: null,
    subject: null,
  };
}

/** Request facts: an API GET of `/` on `web.example.com` over TLS 1.3 from 203.0.113.7 (DE). */
export function requestFacts(overrides: Partial<RequestFacts> = {}): RequestFacts {
  return {
    host: "web.example.com",
    method: "GET",
    path: "/",
    clientIp: "203.0.113.7",
    country: "DE",
    secure: true,
    acceptsHtml: false,
    upgrade: false,
    origin: null,
    referer: null,
    contentType: null,
    token: null,
    challengeCookie: null,
    session: null,
    clientCredential: null,
    tlsVersion: null,
    ...overrides,
  };
}

/** Handshake facts: TLS 1.3 to `web.example.com` with a classical group, no ECH, no certificate. */
export function handshakeFacts(overrides: Partial<HandshakeFacts> = {}): HandshakeFacts {
  return {
    sni: "web.example.com",
    version: "1.3",
    group: "x25519",
    ech: false,
    clientCertVerified: false,
    clientCredential: null,
    ...overrides,
  };
}

/** A policy test: a GET of `https://web.example.com/` from 203.0.113.7, expected forwarded. */
export function policyTestIr(
  name: string,
  request: Partial<TestRequestIr> = {},
  expect: Partial<PolicyTestIr["expect"]> = {},
): PolicyTestIr {
  return {
    name,
    request: {
      method: "GET",
      url: "https://web.example.com/",
      clientIp: "203.0.113.7",
      country: null,
      headers: {},
      token: null,
      challengeCookie: null,
      session: null,
      tls: null,
      ...request,
    },
    expect: { outcome: "forward", status: null, reason: null, policy: null, ...expect },
  };
}
