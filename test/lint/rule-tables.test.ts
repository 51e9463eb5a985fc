// Each semantic lint rule (src/lint/rules/) describes itself and is tested from a table, in
// the manner of typescript-eslint's RuleTester: `valid` policies get no finding of the rule;
// each `invalid` case names the message it expects (id and values, so the rule's own
// constructor writes the expected text) and the exact text its span underlines.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkPolicySource } from "../../src/pipeline.ts";
import { codes } from "../../src/diagnostics/codes.ts";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { LINT_RULES } from "../../src/lint/run.ts";
import type { LintRule } from "../../src/lint/rule.ts";

const root = join(import.meta.dirname, "..", "..");

interface InvalidCase {
  readonly policy: string;
  readonly messageId: string;
  readonly args: readonly unknown[];
  /** The source text the finding's span covers (its first line, for long spans). */
  readonly underlines: string;
}

interface RuleTable {
  readonly valid: readonly string[];
  readonly invalid: readonly InvalidCase[];
}

const PROJECT = `project "shop" {
  workspace "ws-shop"
  plan pro
  public_access allowed
  trusted_ips [10.0.0.0/8]
  geo_ip [DE, FR]
}
`;

function tunnel(extra: string): string {
  return `tunnel "api" {
  protocol http
  hosts ["api.shop.test"]
  public
  upstream "http://10.10.0.10:8080"
  auth token
${extra}}
`;
}

function grant(name: string, body: string, type = "app"): string {
  return `grant "${name}" {
  type ${type}
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["shop"]
${body}  }
}
`;
}

const CLEAN = PROJECT + tunnel("  trusted_ips [10.1.0.0/16]\n  geo_ip [DE]\n");

const TABLES: Readonly<Record<string, RuleTable>> = {
  "lint/tunnel-admits-nothing": {
    valid: [CLEAN, PROJECT + tunnel("  trusted_ips [10.1.0.0/16, 10.2.0.0/16]\n")],
    invalid: [
      {
        // Multicast addresses are never the source of a request.
        policy:
          PROJECT.replace("trusted_ips [10.0.0.0/8]\n", "") +
          tunnel("  trusted_ips [224.0.0.0/4]\n"),
        messageId: "forwardsNothing",
        args: ["api"],
        underlines: 'tunnel "api" {',
      },
    ],
  },
  "lint/redundant-trusted-ip": {
    valid: [CLEAN],
    invalid: [
      {
        policy: PROJECT + tunnel("  trusted_ips [10.0.0.0/8]\n"),
        messageId: "filtersNothing",
        args: ["10.0.0.0/8", "api"],
        underlines: "10.0.0.0/8",
      },
    ],
  },
  "lint/narrowed-by-project": {
    valid: [CLEAN],
    invalid: [
      {
        policy: PROJECT + tunnel("  trusted_ips [10.1.0.0/16, 192.0.2.0/24]\n"),
        messageId: "trustedIpNarrowed",
        args: ["192.0.2.0/24", "api", "is removed entirely"],
        underlines: "192.0.2.0/24",
      },
      {
        policy: PROJECT + tunnel("  geo_ip [DE, US]\n"),
        messageId: "countriesRemoved",
        args: [["US"], "api"],
        underlines: "[DE, US]",
      },
    ],
  },
  "lint/unreachable-grant-path": {
    valid: [
      CLEAN + grant("ci", '    connect where id = "api" {\n      path prefix ["/api/"]\n    }\n'),
    ],
    invalid: [
      {
        policy:
          CLEAN + grant("ci", '    connect where id = "api" {\n      path ~ "^api/"\n    }\n'),
        messageId: "pathMatchesNothing",
        args: ['~ "^api/"', "ci"],
        underlines: 'connect where id = "api" {',
      },
    ],
  },
  "lint/grant-wider-than-tunnels": {
    valid: [
      CLEAN +
        grant("ops", '    connect where id = "api" and trusted_ips = ["10.1.0.0/16"] {\n    }\n'),
    ],
    invalid: [
      {
        policy:
          CLEAN +
          grant("ops", '    connect where id = "api" and trusted_ips = ["0.0.0.0/0"] {\n    }\n'),
        messageId: "ipFilterWider",
        args: ["ops", "`0.0.0.0/0`", "`api`"],
        underlines: 'trusted_ips = ["0.0.0.0/0"]',
      },
    ],
  },
  "lint/query-token-forbidden": {
    valid: [
      CLEAN +
        `grant "dashboard" {
  type auth
  permissions [tunnels.resources.read-only]
  resources scope {
    projects ["shop"]
    list
  }
}
`,
    ],
    invalid: [
      {
        policy:
          CLEAN +
          `grant "dashboard" {
  type pat
  permissions [tunnels.resources.read-only]
  resources scope {
    projects ["shop"]
    list
  }
}
`,
        messageId: "watchOnlyPat",
        args: ["dashboard"],
        underlines: "pat",
      },
    ],
  },
  "lint/runtime-cannot-serve": {
    valid: [
      PROJECT +
        `tunnel "db" {
  protocol tls
  hosts ["db.shop.test"]
  public
  upstream "tcp://10.10.0.30:5432"
}
`,
    ],
    invalid: [
      {
        policy:
          PROJECT +
          `tunnel "voice" {
  protocol dtls
  hosts ["voice.shop.test"]
  public
  upstream "udp://10.10.0.40:5004"
}
`,
        messageId: "notServed",
        args: ["voice", "dtls", "Node has no DTLS server", "RP6030"],
        underlines: 'tunnel "voice" {',
      },
      {
        policy:
          PROJECT +
          `tunnel "shop" {
  protocol tls
  hosts ["shop.shop.test"]
  public
  upstream "tcp://10.10.0.41:443"
  ech preferred
}
`,
        messageId: "notServed",
        args: [
          "shop",
          "tls",
          "it prefers Encrypted Client Hello, which Node's TLS cannot offer",
          "RP6033",
        ],
        underlines: 'tunnel "shop" {',
      },
    ],
  },
  "lint/token-owner-unchecked": {
    valid: [
      PROJECT.replace("  plan pro\n", '  plan pro\n  members { users ["u1"] }\n') + tunnel(""),
      PROJECT + tunnel("").replace("auth token", "auth none"),
    ],
    invalid: [
      {
        policy: PROJECT + tunnel(""),
        messageId: "noMembers",
        args: ["shop", "`api`", "takes"],
        underlines: '"shop"',
      },
    ],
  },
  "lint/shadowed-path-pattern": {
    valid: [
      CLEAN +
        grant(
          "ci",
          '    connect where id = "api" {\n      path prefix ["/api/", "/status"]\n    }\n',
        ),
    ],
    invalid: [
      {
        policy:
          CLEAN +
          grant("ci", '    connect where id = "api" {\n      path prefix ["/", "/api/"]\n    }\n'),
        messageId: "redundantEntry",
        args: ["prefix", "/api/", "ci", "/"],
        underlines: 'connect where id = "api" {',
      },
    ],
  },
};

function findings(rule: LintRule, policy: string): Diagnostic[] {
  const checked = checkPolicySource({ name: "case.rampart", text: policy });
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors, [], "a table case must pass the static pipeline");
  return checked.diagnostics.filter((d) => d.code === rule.code);
}

describe("lint rules describe themselves", () => {
  const docs = readFileSync(join(root, "docs", "codes.md"), "utf8");
  for (const rule of LINT_RULES) {
    it(`${rule.code}: its metadata equals its registry entry and docs/codes.md`, () => {
      const entry = codes[rule.code];
      assert.ok(entry !== undefined, `${rule.code} is registered`);
      assert.equal(rule.meta.code, rule.code);
      assert.equal(rule.meta.name, entry.slug);
      assert.equal(rule.meta.description, entry.summary);
      assert.ok(
        docs.includes(`| \`${rule.meta.name}\` | ${rule.meta.description} |`),
        "docs/codes.md lists the rule with its description",
      );
      assert.ok(Object.keys(rule.meta.messages).length > 0, "a rule names its messages");
      assert.ok(["error", "warning", "info"].includes(rule.meta.defaultSeverity));
    });
  }
});

describe("lint rule tables (valid / invalid, with the underline)", () => {
  it("every rule has a table, and every message of a rule is exercised", () => {
    for (const rule of LINT_RULES) {
      const table = TABLES[rule.meta.name];
      assert.ok(table !== undefined, `a table for ${rule.meta.name}`);
      assert.ok(table.valid.length > 0 && table.invalid.length > 0);
    }
  });

  for (const rule of LINT_RULES) {
    const table = TABLES[rule.meta.name];
    if (table === undefined) continue;
    describe(`${rule.code} ${rule.meta.name}`, () => {
      table.valid.forEach((policy, i) => {
        it(`valid #${i + 1}: no finding`, () => {
          assert.deepEqual(findings(rule, policy), []);
        });
      });
      table.invalid.forEach((c, i) => {
        it(`invalid #${i + 1}: ${c.messageId}, underlining ${JSON.stringify(c.underlines)}`, () => {
          const construct = rule.meta.messages[c.messageId] as
            ((...args: readonly unknown[]) => string) | undefined;
          assert.ok(construct !== undefined, `${rule.meta.name} has a message ${c.messageId}`);
          const expected = construct(...c.args);
          const found = findings(rule, c.policy).find((d) => d.message === expected);
          assert.ok(
            found !== undefined,
            `expected "${expected}", got ${JSON.stringify(findings(rule, c.policy).map((d) => d.message))}`,
          );
          assert.equal(found.severity, rule.meta.defaultSeverity);
          const span = found.span;
          assert.ok(span !== undefined, "the finding has a span");
          const underlined = c.policy.slice(span.start, span.end).split("\n")[0];
          assert.equal(underlined, c.underlines);
          assert.ok(
            found.help !== undefined && found.help.length > 0,
            "the finding has a fix hint",
          );
        });
      });
    });
  }
});
