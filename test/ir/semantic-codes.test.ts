/**
 * Every semantic code, one minimal policy each: the code is produced, with the expected
 * severity, at the span of the value that caused it, with a help text. The last test checks
 * that no registered RP3xxx code is left without a case.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { semanticCodes } from "../../src/diagnostics/codes/semantic.ts";
import type { PolicyDocumentDoc, TunnelDoc } from "../../src/syntax/model.ts";
import { baseDocument, diagnosticsOf, only, spanFor } from "./lower-helpers.ts";

interface Case {
  readonly code: string;
  readonly title: string;
  readonly severity?: "error" | "warning";
  readonly document: PolicyDocumentDoc;
  /** Where the diagnostic must point. */
  readonly pointer: string;
  readonly message?: RegExp;
  readonly help?: string | RegExp;
}

const tunnel: TunnelDoc = {
  id: "t-api",
  name: "api",
  protocol: "http",
  hostname: ["api.example.com"],
};
const project = { id: "shop", plan: "enterprise", workspace: "acme" } as const;

const connectLeaf = (connect: object): PolicyDocumentDoc =>
  baseDocument({
    grants: [{ name: "g", resources: { tunnels: { scopes: { tunnels: { connect } } } } }],
  });

const cases: readonly Case[] = [
  {
    code: "RP3001",
    title: "S-A3: a trusted IP that is not an address",
    document: { project: { ...project, trusted_ips: ["10.0.0.0/8", "10.0.0.300"] } },
    pointer: "/project/trusted_ips/1",
    message: /invalid trusted IP `10\.0\.0\.300`/,
  },
  {
    code: "RP3002",
    title: "S-A3: a CIDR with host bits set is a warning with the fix",
    severity: "warning",
    document: { project: { ...project, trusted_ips: ["10.0.0.1/8"] } },
    pointer: "/project/trusted_ips/0",
    message: /^CIDR `10\.0\.0\.1\/8` has host bits set$/,
    help: "did you mean `10.0.0.0/8`?",
  },
  {
    code: "RP3003",
    title: "S-A3: a contained range is merged with a warning",
    severity: "warning",
    document: { project: { ...project, trusted_ips: ["10.0.0.0/8", "::ffff:10.1.2.3"] } },
    pointer: "/project/trusted_ips/1",
    message: /`::ffff:10\.1\.2\.3` is already covered by `10\.0\.0\.0\/8`/,
  },
  {
    code: "RP3004",
    title: "S-A4: `UK` is not a country code",
    document: { project: { ...project, geo_ip: ["DE", "UK"] } },
    pointer: "/project/geo_ip/1",
    message: /^unknown country code `UK`$/,
    help: "did you mean `GB`?",
  },
  {
    code: "RP3005",
    title: "an invalid tunnel host",
    document: baseDocument({
      tunnels: [{ ...tunnel, hostname: ["api.example.com", "bad_host..com"] }],
    }),
    pointer: "/tunnels/0/hostname/1",
  },
  {
    code: "RP3006",
    title: "S-T5: an exact path with a dot segment",
    document: connectLeaf({ params: { path: { exact: "/api/../admin" } } }),
    pointer: "/grants/0/resources/tunnels/scopes/tunnels/connect/params/path/exact",
  },
  {
    code: "RP3007",
    title: "S-T5: a glob with `**` inside a segment",
    document: connectLeaf({ params: { path: { glob: ["/api/**", "/a**"] } } }),
    pointer: "/grants/0/resources/tunnels/scopes/tunnels/connect/params/path/glob/1",
  },
  {
    code: "RP3008",
    title: "S-T5: a regex with nested quantifiers",
    document: connectLeaf({ params: { path: { regex: "^/(a+)+$" } } }),
    pointer: "/grants/0/resources/tunnels/scopes/tunnels/connect/params/path/regex",
    message: /nested quantifiers/,
  },
  {
    code: "RP3009",
    title: "an expiry that is not RFC 3339",
    document: baseDocument({ grants: [{ name: "g", expires_at: "2026-02-30T00:00:00Z" }] }),
    pointer: "/grants/0/expires_at",
  },
  {
    code: "RP3010",
    title: "S-H6: a fingerprint that is not SHA-256",
    document: baseDocument({
      grants: [{ name: "g" }],
      credentials: [{ name: "c", fingerprint256: "AB:CD", grant: "g" }],
    }),
    pointer: "/credentials/0/fingerprint256",
  },
  {
    code: "RP3011",
    title: "S-H6: a credential without a certificate identity",
    document: baseDocument({ grants: [{ name: "g" }], credentials: [{ name: "c", grant: "g" }] }),
    pointer: "/credentials/0",
  },
  {
    code: "RP3012",
    title: "S-T3: a leaf with both workspaces and projects",
    document: baseDocument({
      grants: [{ name: "g", resources: { tunnels: { workspaces: ["acme"], projects: ["shop"] } } }],
    }),
    pointer: "/grants/0/resources/tunnels/projects",
  },
  {
    code: "RP3101",
    title: "duplicate tunnel ids",
    document: baseDocument({
      tunnels: [tunnel, { id: "t-api", protocol: "http", hostname: ["b.example.com"] }],
    }),
    pointer: "/tunnels/1/id",
  },
  {
    code: "RP3102",
    title: "duplicate tunnel names",
    document: baseDocument({
      tunnels: [tunnel, { id: "t-2", name: "api", protocol: "http", hostname: ["b.example.com"] }],
    }),
    pointer: "/tunnels/1/name",
  },
  {
    code: "RP3103",
    title: "the same host in two tunnels, case-insensitively",
    document: baseDocument({
      tunnels: [tunnel, { id: "t-2", protocol: "http", hostname: ["API.example.com"] }],
    }),
    pointer: "/tunnels/1/hostname/0",
  },
  {
    code: "RP3104",
    title: "duplicate grant names",
    document: baseDocument({ grants: [{ name: "g" }, { name: "g" }] }),
    pointer: "/grants/1/name",
  },
  {
    code: "RP3105",
    title: "duplicate credential names",
    document: baseDocument({
      grants: [{ name: "g" }],
      credentials: [
        { name: "c", subject_cn: "a", grant: "g" },
        { name: "c", subject_cn: "b", grant: "g" },
      ],
    }),
    pointer: "/credentials/1/name",
  },
  {
    code: "RP3106",
    title: "duplicate test names",
    document: baseDocument({
      tests: [
        {
          name: "t",
          request: { url: "https://api.example.com/", client_ip: "1.2.3.4" },
          expect: { outcome: "forward" },
        },
        {
          name: "t",
          request: { url: "https://api.example.com/", client_ip: "1.2.3.4" },
          expect: { outcome: "forward" },
        },
      ],
    }),
    pointer: "/tests/1/name",
  },
  {
    code: "RP3201",
    title: "S-H8: an unknown parent grant, with a suggestion",
    document: baseDocument({ grants: [{ name: "deploy" }, { name: "ci", parent: "deplyo" }] }),
    pointer: "/grants/1/parent",
    help: "did you mean `deploy`?",
  },
  {
    code: "RP3202",
    title: "S-T6: grants that derive from each other",
    document: baseDocument({
      grants: [
        { name: "a", parent: "b" },
        { name: "b", parent: "a" },
      ],
    }),
    pointer: "/grants/0/parent",
    message: /`a` → `b` → `a`/,
  },
  {
    code: "RP3203",
    title: "S-H6: a credential with an unknown grant",
    document: baseDocument({
      grants: [{ name: "g" }],
      credentials: [{ name: "c", subject_cn: "x", grant: "h" }],
    }),
    pointer: "/credentials/0/grant",
  },
  {
    code: "RP3204",
    title: "S-T4: a connect filter naming no tunnel of the project",
    document: connectLeaf({ filters: { name: { oneof: ["api", "apl"] } } }),
    pointer: "/grants/0/resources/tunnels/scopes/tunnels/connect/filters/name/oneof/1",
    message: /no tunnel of this project has name `apl`/,
    help: "did you mean `api`?",
  },
  {
    code: "RP3205",
    title: "a test token with an unknown grant",
    document: baseDocument({
      tests: [
        {
          name: "t",
          request: {
            url: "https://api.example.com/",
            client_ip: "1.2.3.4",
            token: { grant: "nope" },
          },
          expect: { outcome: "forward" },
        },
      ],
    }),
    pointer: "/tests/0/request/token/grant",
  },
  {
    code: "RP3206",
    title: "S-H6: a test client certificate naming no credential",
    document: baseDocument({
      tests: [
        {
          name: "t",
          request: {
            url: "https://api.example.com/",
            client_ip: "1.2.3.4",
            tls: { client_cert: "nope" },
          },
          expect: { outcome: "forward" },
        },
      ],
    }),
    pointer: "/tests/0/request/tls/client_cert",
  },
  {
    code: "RP3301",
    title: "S-A2: `forbidden` public access on basic",
    document: { project: { ...project, plan: "basic", public_access: "forbidden" } },
    pointer: "/project/public_access",
    message: /^the `basic` plan does not include public access `forbidden`$/,
  },
  {
    code: "RP3302",
    title: "S-A6: post-quantum `required` on a DTLS tunnel",
    document: baseDocument({
      tunnels: [
        {
          id: "t-udp",
          protocol: "dtls",
          hostname: ["udp.example.com"],
          post_quantum: { mode: "required" },
        },
      ],
    }),
    pointer: "/tunnels/0/post_quantum",
  },
  {
    code: "RP3303",
    title: "S-D5: tls_min_version on a passthrough tunnel",
    document: baseDocument({
      tunnels: [
        {
          id: "t-pt",
          protocol: "tls-passthrough",
          hostname: ["pt.example.com"],
          tls_min_version: "1.3",
        },
      ],
    }),
    pointer: "/tunnels/0/tls_min_version",
  },
  {
    code: "RP3304",
    title: "S-D5: token_auth on a TLS tunnel",
    document: baseDocument({
      tunnels: [{ id: "t-tls", protocol: "tls", hostname: ["tls.example.com"], token_auth: true }],
    }),
    pointer: "/tunnels/0/token_auth",
  },
  {
    code: "RP3305",
    title: "S-D5: a hostname on a TCP tunnel",
    document: baseDocument({
      tunnels: [{ id: "t-tcp", protocol: "tcp", hostname: ["db.example.com"] }],
    }),
    pointer: "/tunnels/0/hostname",
  },
  {
    code: "RP3306",
    title: "S-D5: challenge mode on a private tunnel",
    document: baseDocument({
      tunnels: [{ id: "t-p", protocol: "http", publish: false, challenge_mode: true }],
    }),
    pointer: "/tunnels/0/challenge_mode",
  },
  {
    code: "RP3401",
    title: "a test URL that does not parse",
    document: baseDocument({
      tests: [
        {
          name: "t",
          request: { url: "api.example.com/x", client_ip: "1.2.3.4" },
          expect: { outcome: "forward" },
        },
      ],
    }),
    pointer: "/tests/0/request/url",
  },
  {
    code: "RP3402",
    title: "a test URL whose host no tunnel serves",
    document: baseDocument({
      tests: [
        {
          name: "t",
          request: { url: "https://apo.example.com/x", client_ip: "1.2.3.4" },
          expect: { outcome: "forward" },
        },
      ],
    }),
    pointer: "/tests/0/request/url",
    help: "did you mean `api.example.com`?",
  },
  {
    code: "RP3403",
    title: "a test client IP that is not an address",
    document: baseDocument({
      tests: [
        {
          name: "t",
          request: { url: "https://api.example.com/", client_ip: "10.0.0.0/8" },
          expect: { outcome: "forward" },
        },
      ],
    }),
    pointer: "/tests/0/request/client_ip",
  },
  {
    code: "RP3070",
    title: "an HTTP upstream with a mistyped scheme",
    document: baseDocument({ tunnels: [{ ...tunnel, upstream: "htp:/10.0.0.1:8080" }] }),
    pointer: "/tunnels/0/upstream",
    message: /scheme `htp` is not http or https/,
  },
  {
    code: "RP3071",
    title: "a method name that is not a method, with the closest one",
    severity: "warning",
    document: connectLeaf({ params: { methods: ["GET", "PUTT"] } }),
    pointer: "/grants/0/resources/tunnels/scopes/tunnels/connect/params/methods/1",
    help: "did you mean `PUT`?",
  },
  {
    code: "RP3072",
    title: "a lower-case method name",
    severity: "warning",
    document: connectLeaf({ params: { methods: ["post"] } }),
    pointer: "/grants/0/resources/tunnels/scopes/tunnels/connect/params/methods/0",
    help: "write `POST`",
  },
  {
    code: "RP3073",
    title: "a method listed twice, in any case",
    severity: "warning",
    document: connectLeaf({ params: { methods: ["GET", "POST", "get"] } }),
    pointer: "/grants/0/resources/tunnels/scopes/tunnels/connect/params/methods/2",
  },
];

/** Every pointer of a document, so that each value gets its own span. */
function pointersOf(value: unknown, pointer = ""): string[] {
  if (value === null || typeof value !== "object") return [pointer];
  const children = Object.entries(value).flatMap(([k, v]) => pointersOf(v, `${pointer}/${k}`));
  return [pointer, ...children].filter((p) => p !== "");
}

describe("semantic diagnostics", () => {
  for (const c of cases) {
    it(`${c.code}: ${c.title}`, () => {
      const pointers = pointersOf(c.document);
      const diagnostic = only(diagnosticsOf(c.document, pointers), c.code);
      assert.equal(diagnostic.severity, c.severity ?? "error");
      assert.deepEqual(diagnostic.span, spanFor(["", ...pointers], c.pointer));
      assert.ok(diagnostic.help !== undefined && diagnostic.help.length > 0);
      if (c.message !== undefined) assert.match(diagnostic.message, c.message);
      if (typeof c.help === "string") assert.equal(diagnostic.help, c.help);
      assert.doesNotMatch(diagnostic.message, /\.$|\n/);
    });
  }

  it("covers every registered semantic code", () => {
    const covered = new Set(cases.map((c) => c.code));
    assert.deepEqual(
      Object.keys(semanticCodes).filter((code) => !covered.has(code)),
      [],
    );
  });
});

describe("HTTP upstream URLs (RP3070)", () => {
  const problem = (url: string): string | undefined =>
    diagnosticsOf(baseDocument({ tunnels: [{ ...tunnel, upstream: url }] }), []).find(
      (d) => d.code === "RP3070",
    )?.message;

  it("accepts absolute http and https URLs, with a port and a base path", () => {
    for (const url of ["http://10.0.0.1:8080", "https://app.internal/base/", "http://[::1]:80"])
      assert.equal(problem(url), undefined, url);
  });

  it("refuses a missing `//`, a foreign scheme, a bare host, a query and credentials", () => {
    assert.match(problem("http:/10.0.0.1") ?? "", /followed by `\/\/`/);
    assert.match(problem("ftp://10.0.0.1") ?? "", /scheme `ftp`/);
    assert.match(problem("10.0.0.1:8080") ?? "", /not an absolute URL|scheme/);
    assert.match(problem("http://a.test/?x=1") ?? "", /query/);
    assert.match(problem("http://u:p@a.test/") ?? "", /credentials/);
  });

  it("leaves the upstreams of TCP tunnels alone", () => {
    const tcp = baseDocument({
      tunnels: [{ id: "t-db", protocol: "tcp", publish: false, upstream: "tcp://10.0.0.1:5432" }],
    });
    assert.equal(
      diagnosticsOf(tcp, []).find((d) => d.code === "RP3070"),
      undefined,
    );
  });
});
