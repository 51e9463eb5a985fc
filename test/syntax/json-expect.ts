/** Test helpers for the JSON front end: find a diagnostic and check what the user sees. */
import assert from "node:assert/strict";
import type { Diagnostic, Outcome } from "../../src/diagnostics/diagnostic.ts";
import type { SourceFile } from "../../src/diagnostics/span.ts";

/** What a test expects of one diagnostic; `underline` is the exact text under the carets. */
export interface ExpectedDiagnostic {
  readonly code: string;
  readonly message: string;
  readonly underline: string;
  readonly help?: string;
}

/** Asserts that the outcome failed with exactly one diagnostic, and that it is `expected`. */
export function expectOnly(
  outcome: Outcome<unknown>,
  source: SourceFile,
  expected: ExpectedDiagnostic,
): Diagnostic {
  assert.equal(outcome.value, undefined, "the outcome should have failed");
  assert.equal(
    outcome.diagnostics.length,
    1,
    `one diagnostic, got: ${outcome.diagnostics.map((d) => d.message).join("; ")}`,
  );
  return expectDiagnostic(outcome.diagnostics, source, expected);
}

/** Asserts that `diagnostics` contain one with `expected`'s code and message, and checks it. */
export function expectDiagnostic(
  diagnostics: readonly Diagnostic[],
  source: SourceFile,
  expected: ExpectedDiagnostic,
): Diagnostic {
  const found = diagnostics.find((d) => d.code === expected.code && d.message === expected.message);
  assert.ok(
    found,
    `no ${expected.code} "${expected.message}" among:\n${diagnostics.map((d) => `${d.code} ${d.message}`).join("\n")}`,
  );
  assert.equal(found.severity, "error");
  assert.ok(found.span, "the diagnostic has a span");
  assert.equal(found.span.file, source.name);
  assert.equal(source.text.slice(found.span.start, found.span.end), expected.underline);
  assert.equal(found.help, expected.help);
  assertStyle(found);
  return found;
}

/** The message style of STYLE.md: lower case start, no final period, no line breaks. */
export function assertStyle(d: Diagnostic): void {
  assert.doesNotMatch(d.message, /^[A-Z]/, `message starts lower case: ${d.message}`);
  assert.doesNotMatch(d.message, /\.$/, `message has no final period: ${d.message}`);
  assert.doesNotMatch(d.message, /[\r\n]/, `message has no line breaks: ${d.message}`);
}

/** A realistic, valid JSON policy used by several tests. */
export const VALID_POLICY = `{
  "$schema": "../grammar/policy.schema.json",
  "project": {
    "id": "acme-prod",
    "name": "ACME production",
    "plan": "enterprise",
    "public_access": "auth-required",
    "trusted_ips": ["10.0.0.0/8", "2001:db8::/32"],
    "geo_ip": ["DE", "FR"],
    "tls_min_version": "1.2",
    "post_quantum": { "mode": "preferred", "fips": false },
    "ech": "off"
  },
  "tunnels": [
    {
      "id": "api",
      "name": "public API",
      "labels": { "tier": "backend", "app/kind": "rest" },
      "protocol": "http",
      "hostname": ["api.acme.example"],
      "upstream": "http://127.0.0.1:8080",
      "token_auth": true,
      "tls_min_version": "1.3"
    },
    {
      "id": "admin",
      "protocol": "tls",
      "publish": false,
      "mtls_auth": { "ca": "certs/admin-ca.pem" },
      "rstream_auth": true,
      "rstream_auth_allow": { "domains": ["acme.example"] }
    }
  ],
  "grants": [
    {
      "name": "ci-read",
      "type": "pat",
      "expires_at": "2027-01-01T00:00:00Z",
      "permissions": ["tunnels.resources.read-only"],
      "resources": {
        "tunnels": {
          "OR": [
            { "scopes": { "tunnels": { "connect": { "filters": { "labels": { "tier": "backend" } }, "params": { "path": { "prefix": ["/v1/"] }, "methods": ["GET"] } } } } },
            { "projects": ["acme-prod"], "scopes": { "tunnels": { "list": true } } }
          ]
        }
      }
    }
  ],
  "tests": [
    {
      "name": "office can read the API",
      "request": { "method": "GET", "url": "https://api.acme.example/v1/items", "client_ip": "10.1.2.3", "country": "DE", "token": { "grant": "ci-read" } },
      "expect": { "outcome": "forward", "status": 200 }
    }
  ]
}
`;
