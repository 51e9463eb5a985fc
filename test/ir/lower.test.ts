import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { equalIr } from "../../src/ir/equal.ts";
import { lowerToIr } from "../../src/ir/lower.ts";
import { parseRfc3339 } from "../../src/ir/lower-grant.ts";
import type { GrantNodeIr } from "../../src/ir/types.ts";
import type { PolicyDocumentDoc } from "../../src/syntax/model.ts";
import { baseDocument, diagnosticsOf, lowerOk, only, policyAst } from "./lower-helpers.ts";

type Leaf = Extract<GrantNodeIr, { kind: "leaf" }>;

function leafOf(node: GrantNodeIr | null): Leaf {
  assert.ok(node !== null && node.kind === "leaf");
  return node;
}

describe("lowerToIr: defaults", () => {
  it("keeps `null` where the file is silent, with the model's own defaults", () => {
    const ir = lowerOk(baseDocument());
    assert.deepEqual(
      { ...ir.project, spans: undefined },
      {
        id: "shop",
        name: null,
        workspace: "acme",
        plan: "enterprise",
        publicAccess: "allowed",
        trustedIps: null,
        countries: null,
        tlsMin: null,
        postQuantum: null,
        ech: null,
        members: null,
        spans: undefined,
      },
    );
    const tunnel = ir.tunnels[0];
    assert.ok(tunnel !== undefined);
    assert.equal(tunnel.publish, true);
    assert.deepEqual(tunnel.labels, {});
    for (const key of [
      "tokenAuth",
      "rstreamAuth",
      "mtls",
      "challenge",
      "forwardAuthorization",
      "sessionAllow",
      "upstream",
      "tlsMin",
    ] as const) {
      assert.equal(tunnel[key], null, key);
    }
    assert.deepEqual([ir.grants, ir.credentials, ir.tests], [[], [], []]);
  });

  it("S-A6: post-quantum FIPS defaults to off", () => {
    const ir = lowerOk({ project: { id: "p", plan: "pro", post_quantum: { mode: "preferred" } } });
    assert.deepEqual(ir.project.postQuantum, { mode: "preferred", fips: false });
  });

  it("fills test-request defaults: GET and a header token", () => {
    const ir = lowerOk(
      baseDocument({
        grants: [{ name: "g" }],
        tests: [
          {
            name: "t",
            request: {
              url: "https://API.example.com/x",
              client_ip: "::ffff:10.0.0.1",
              country: "de",
              headers: { "X-Id": "1" },
              token: { grant: "g" },
            },
            expect: { outcome: "forward", status: 200 },
          },
        ],
      }),
    );
    const test = ir.tests[0];
    assert.ok(test !== undefined);
    assert.equal(test.request.method, "GET");
    assert.equal(test.request.country, "DE");
    assert.deepEqual(test.request.headers, { "x-id": "1" });
    assert.deepEqual(test.request.token, { kind: "grant", grant: "g", in: "header" });
    assert.equal(test.request.url, "https://API.example.com/x");
    assert.deepEqual(test.expect, { outcome: "forward", status: 200, reason: null, policy: null });
  });
});

describe("lowerToIr: normalization", () => {
  it("S-A3: trusted IPs are canonical, sorted and merged, with spans", () => {
    const document = baseDocument({
      project: {
        id: "p",
        plan: "pro",
        trusted_ips: ["2001:db8::/32", "10.0.0.1/8", "::ffff:10.1.2.3", "192.0.2.1"],
      },
    });
    const out = lowerToIr(policyAst(document, ["/project/trusted_ips", "/project/trusted_ips/3"]));
    const set = out.value?.project.trustedIps;
    assert.deepEqual(
      set?.ranges.map((r) => r.cidr),
      ["10.0.0.0/8", "192.0.2.1/32", "2001:db8::/32"],
    );
    assert.deepEqual(set?.origin, { file: "policy.json", start: 10, end: 19 });
    assert.deepEqual(set?.ranges[1]?.origin, { file: "policy.json", start: 20, end: 29 });
    assert.deepEqual(
      out.diagnostics.map((d) => d.code),
      ["RP3002", "RP3003"],
    );
  });

  it("S-A4: countries are upper-cased, sorted and deduplicated", () => {
    const ir = lowerOk({ project: { id: "p", plan: "pro", geo_ip: ["fr", "DE", "de"] } });
    assert.deepEqual(ir.project.countries?.codes, ["DE", "FR"]);
  });

  it("S-A4: every unknown country is reported, not just the first", () => {
    const diagnostics = diagnosticsOf({
      project: { id: "p", plan: "pro", geo_ip: ["UK", "EU", "XX"] },
    });
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ["RP3004", "RP3004", "RP3004"],
    );
  });

  it("hosts are lower-cased, sorted and deduplicated; labels sorted", () => {
    const ir = lowerOk(
      baseDocument({
        tunnels: [
          {
            id: "t",
            protocol: "http",
            hostname: ["B.example.com", "*.Example.com"],
            labels: { z: "1", a: "2" },
          },
        ],
      }),
    );
    assert.deepEqual(ir.tunnels[0]?.hosts, ["*.example.com", "b.example.com"]);
    assert.deepEqual(Object.keys(ir.tunnels[0]?.labels ?? {}), ["a", "z"]);
  });

  it("S-T2: permissions are sorted and deduplicated; null stays null", () => {
    const ir = lowerOk(
      baseDocument({
        grants: [
          {
            name: "a",
            permissions: [
              "tunnels.streams.create-delete",
              "tunnels.resources.read-only",
              "tunnels.streams.create-delete",
            ],
          },
          { name: "b", permissions: null },
          { name: "c" },
        ],
      }),
    );
    assert.deepEqual(
      ir.grants.map((g) => g.permissions),
      [["tunnels.resources.read-only", "tunnels.streams.create-delete"], null, null],
    );
  });

  it("parses expires_at as RFC 3339 into unix seconds", () => {
    const ir = lowerOk(
      baseDocument({ grants: [{ name: "g", expires_at: "2026-12-31T23:59:59.5+01:00" }] }),
    );
    assert.equal(ir.grants[0]?.expiresAt, Date.UTC(2026, 11, 31, 22, 59, 59) / 1000);
    for (const bad of [
      "2026-12-31",
      "2026-12-31T23:59:59",
      "2026-13-01T00:00:00Z",
      "2025-02-29T00:00:00Z",
      "2026-01-01T24:00:00Z",
      "tomorrow",
    ]) {
      assert.equal(parseRfc3339(bad), null, bad);
    }
    assert.equal(parseRfc3339("2024-02-29t00:00:00z"), Date.UTC(2024, 1, 29) / 1000);
  });

  it("S-H6: fingerprints become upper-case hex without colons", () => {
    const hex = "ab".repeat(32);
    const colons = hex.match(/../g)?.join(":") ?? "";
    const ir = lowerOk(
      baseDocument({
        grants: [{ name: "g" }],
        credentials: [{ name: "c", fingerprint256: colons, grant: "g" }],
      }),
    );
    assert.equal(ir.credentials[0]?.fingerprint256, hex.toUpperCase());
  });

  it("S-T3/S-T4: actions, filters, methods and paths are normalized", () => {
    const ir = lowerOk(
      baseDocument({
        grants: [
          {
            name: "g",
            resources: {
              tunnels: {
                projects: ["shop"],
                scopes: {
                  tunnels: {
                    list: true,
                    create: false,
                    connect: {
                      filters: {
                        labels: { tier: "web" },
                        hostname: { oneof: ["B.example.com", "a.example.com"] },
                        id: "t-api",
                      },
                      params: {
                        path: { prefix: ["/%61pi/", "/api/"] },
                        methods: ["post", "GET", "get"],
                      },
                    },
                  },
                },
              },
            },
          },
        ],
      }),
    );
    const leaf = leafOf(ir.grants[0]?.resources ?? null);
    assert.equal(leaf.create, null);
    assert.deepEqual(
      { ...leaf.list, origin: undefined },
      { filter: null, path: null, methods: null, select: null, origin: undefined },
    );
    const connect = leaf.connect;
    assert.ok(connect !== null);
    assert.deepEqual(connect.methods, ["GET", "POST"]);
    assert.deepEqual(connect.path, { kind: "prefix", values: ["/api/"] });
    assert.deepEqual(connect.filter, {
      kind: "and",
      children: [
        { kind: "string", field: "id", match: { kind: "exact", value: "t-api" } },
        {
          kind: "string",
          field: "hostname",
          match: { kind: "oneof", values: ["a.example.com", "b.example.com"] },
        },
        { kind: "label", key: "tier", match: { kind: "exact", value: "web" } },
      ],
    });
  });

  it("the IR does not depend on key order in the file", () => {
    const a: PolicyDocumentDoc = baseDocument({
      grants: [
        {
          name: "g",
          resources: {
            tunnels: {
              scopes: { tunnels: { connect: { filters: { publish: true, name: "api" } } } },
            },
          },
        },
      ],
    });
    const b: PolicyDocumentDoc = baseDocument({
      grants: [
        {
          resources: {
            tunnels: {
              scopes: { tunnels: { connect: { filters: { name: "api", publish: true } } } },
            },
          },
          name: "g",
        },
      ],
    });
    assert.ok(equalIr(lowerOk(a), lowerOk(b)));
  });

  it("S-T5: a connect filter's unknown tunnel is only checked when the leaf applies to this project", () => {
    const other = baseDocument({
      grants: [
        {
          name: "g",
          resources: {
            tunnels: {
              projects: ["other"],
              scopes: { tunnels: { connect: { filters: { id: "elsewhere" } } } },
            },
          },
        },
      ],
    });
    lowerOk(other);
    const otherWorkspace = baseDocument({
      grants: [
        {
          name: "g",
          resources: {
            tunnels: {
              workspaces: ["w2"],
              scopes: { tunnels: { list: { filters: { id: "x" } } } },
            },
          },
        },
      ],
    });
    lowerOk(otherWorkspace);
    const create = baseDocument({
      grants: [
        {
          name: "g",
          resources: {
            tunnels: { scopes: { tunnels: { create: { filters: { name: "new-one" } } } } },
          },
        },
      ],
    });
    lowerOk(create);
    const nested = baseDocument({
      grants: [
        {
          name: "g",
          resources: {
            tunnels: {
              OR: [
                {
                  scopes: { tunnels: { list: { filters: { AND: [{ id: { exact: "nope" } }] } } } },
                },
              ],
            },
          },
        },
      ],
    });
    only(diagnosticsOf(nested), "RP3204");
  });
});

describe("lowerToIr: checks that interact", () => {
  it("S-A6/S-A7: a project `required` names the DTLS tunnel, with a label on the project", () => {
    const document = baseDocument({
      project: { id: "p", plan: "pro", ech: "required" },
      tunnels: [
        { id: "t-udp", protocol: "dtls", hostname: ["u.example.com"] },
        { id: "t-priv", protocol: "dtls", publish: false },
      ],
    });
    const out = lowerToIr(policyAst(document, ["/project/ech", "/tunnels/0/protocol"]));
    const diagnostic = only(out.diagnostics, "RP3302");
    assert.match(diagnostic.message, /ECH `required` cannot be satisfied by DTLS tunnel `t-udp`/);
    assert.equal(diagnostic.labels?.length, 1);
  });

  it("S-D5: a private tunnel's options are reported once, as private exposure", () => {
    const diagnostics = diagnosticsOf(
      baseDocument({
        tunnels: [
          {
            id: "t",
            protocol: "tcp",
            publish: false,
            hostname: ["x.example.com"],
            token_auth: true,
          },
        ],
      }),
    );
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ["RP3306", "RP3306"],
    );
  });

  it("S-D5: explicit `false` and `off` values are not options in use", () => {
    lowerOk(
      baseDocument({
        tunnels: [
          { id: "t", protocol: "tcp", token_auth: false, challenge_mode: false, ech: "off" },
          {
            id: "p",
            protocol: "http",
            publish: false,
            token_auth: false,
            post_quantum: { mode: "off" },
          },
        ],
      }),
    );
  });

  it("S-A2..S-A4: plan gating covers project and tunnels; challenge mode is not gated", () => {
    const diagnostics = diagnosticsOf({
      project: { id: "p", plan: "basic", trusted_ips: ["10.0.0.0/8"], geo_ip: ["DE"] },
      tunnels: [
        {
          id: "t",
          protocol: "http",
          hostname: ["a.example.com"],
          trusted_ips: ["10.1.0.0/16"],
          challenge_mode: true,
        },
      ],
    });
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ["RP3301", "RP3301", "RP3301"],
    );
  });

  it("a duplicate host in one tunnel is only a warning", () => {
    const diagnostics = diagnosticsOf(
      baseDocument({
        tunnels: [{ id: "t", protocol: "http", hostname: ["a.example.com", "A.example.com"] }],
      }),
    );
    assert.equal(only(diagnostics, "RP3103").severity, "warning");
  });

  it("a repeated host points at itself and at the first place it is written, across empty lists", () => {
    const pointers = [
      "/tunnels/0/hostname/0",
      "/tunnels/0/hostname/1",
      "/tunnels/3/hostname/0",
      "/tunnels/3/hostname/1",
      "/tunnels/3/hostname/2",
      "/tunnels/3/hostname/3",
    ];
    const document = baseDocument({
      tunnels: [
        { id: "t0", protocol: "http", hostname: ["a.example.com", "b.example.com"] },
        { id: "t1", protocol: "http" },
        { id: "t2", protocol: "http", hostname: [] },
        {
          id: "t3",
          protocol: "http",
          hostname: ["c.example.com", "B.example.com", "a.example.com", "a.example.com"],
        },
      ],
    });
    const found = diagnosticsOf(document, pointers)
      .filter((d) => d.code === "RP3103")
      .map((d) => [d.severity, d.message, d.span?.start, d.labels?.[0]?.span?.start]);
    const at = (pointer: string): number => pointers.indexOf(pointer) * 10 + 10;
    assert.deepEqual(found, [
      [
        "error",
        "duplicate host `b.example.com`",
        at("/tunnels/3/hostname/1"),
        at("/tunnels/0/hostname/1"),
      ],
      [
        "error",
        "duplicate host `a.example.com`",
        at("/tunnels/3/hostname/2"),
        at("/tunnels/0/hostname/0"),
      ],
      [
        "error",
        "duplicate host `a.example.com`",
        at("/tunnels/3/hostname/3"),
        at("/tunnels/0/hostname/0"),
      ],
    ]);
  });

  it("a grant cycle is reported once, also for a self-parent", () => {
    const diagnostics = diagnosticsOf(
      baseDocument({
        grants: [
          { name: "a", parent: "b" },
          { name: "b", parent: "c" },
          { name: "c", parent: "a" },
          { name: "d", parent: "d" },
          { name: "e", parent: "a" },
        ],
      }),
    );
    assert.deepEqual(
      diagnostics.map((d) => d.message),
      [
        "grants derive from each other in a cycle: `a` → `b` → `c` → `a`",
        "grants derive from each other in a cycle: `d` → `d`",
      ],
    );
  });

  it("a wildcard host serves test URLs one label deep", () => {
    const document = (url: string): PolicyDocumentDoc =>
      baseDocument({
        tunnels: [{ id: "t", protocol: "http", hostname: ["*.apps.example.com"] }],
        tests: [
          { name: "t", request: { url, client_ip: "1.2.3.4" }, expect: { outcome: "forward" } },
        ],
      });
    lowerOk(document("https://shop.apps.example.com/"));
    only(diagnosticsOf(document("https://a.b.apps.example.com/")), "RP3402");
    only(diagnosticsOf(document("https://apps.example.com/")), "RP3402");
  });
});

// Arbitrary strings in every slot that takes policy text: lowering reports, it never throws.
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom("10.0.0.1/8", "::ffff:1.2.3.4", "UK", "/api/**", "(a+)+", "/a/../b", "*.x.com"),
);
const arbDocument = fc
  .record({
    ips: fc.array(text, { maxLength: 4 }),
    countries: fc.array(text, { maxLength: 4 }),
    hosts: fc.array(text, { maxLength: 3 }),
    path: text,
    regex: text,
    glob: text,
    url: text,
    ip: text,
    expiry: text,
    fingerprint: text,
    protocol: fc.constantFrom("http", "tls", "tls-passthrough", "dtls", "quic", "tcp" as const),
    publish: fc.boolean(),
    plan: fc.constantFrom("basic", "pro", "enterprise" as const),
  })
  .map((r): PolicyDocumentDoc => ({
    project: {
      id: "p",
      plan: r.plan,
      trusted_ips: r.ips,
      geo_ip: r.countries,
      post_quantum: { mode: "required" },
    },
    tunnels: [
      {
        id: "t",
        protocol: r.protocol,
        publish: r.publish,
        hostname: r.hosts,
        geo_ip: r.countries,
        token_auth: true,
      },
    ],
    grants: [
      {
        name: "g",
        parent: "g",
        expires_at: r.expiry,
        resources: {
          tunnels: {
            OR: [
              {
                scopes: {
                  tunnels: {
                    connect: {
                      filters: { id: r.path, trusted_ips: r.ips },
                      params: { path: { glob: [r.glob] } },
                    },
                  },
                },
              },
              {
                scopes: {
                  tunnels: {
                    list: { filters: { name: { regex: r.regex } } },
                    connect: { params: { path: r.path } },
                  },
                },
              },
            ],
          },
        },
      },
    ],
    credentials: [{ name: "c", fingerprint256: r.fingerprint, grant: r.path }],
    tests: [
      {
        name: "t",
        request: { url: r.url, client_ip: r.ip, country: r.ip, token: { grant: r.path } },
        expect: { outcome: "deny" },
      },
    ],
  }));

describe("properties", () => {
  it("lowering never throws, and fails exactly when it reports an error", () => {
    fc.assert(
      fc.property(arbDocument, (document) => {
        const out = lowerToIr(policyAst(document, ["/project", "/tunnels/0", "/grants/0"]));
        const failed = out.diagnostics.some((d) => d.severity === "error");
        assert.equal(out.value === undefined, failed);
        for (const d of out.diagnostics)
          assert.ok(d.message.length > 0 && !d.message.endsWith("."));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("filter references", () => {
  it("S-T4: a name filter holding a tunnel id says so", () => {
    const document = baseDocument({
      grants: [
        {
          name: "g",
          resources: {
            tunnels: { scopes: { tunnels: { connect: { filters: { name: "t-api" } } } } },
          },
        },
      ],
    });
    assert.equal(
      only(diagnosticsOf(document), "RP3204").help,
      "`t-api` is a tunnel id: filter by `id` instead",
    );
  });
});
