/** The lexer: addresses, numbers, keywords and strings come out as one token each. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildPolicyLexer, policyLexer } from "../../grammar/tokens.ts";

function lex(text: string): string[] {
  const result = policyLexer.tokenize(text);
  assert.deepEqual(result.errors, []);
  return result.tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

describe("policy lexer", () => {
  it("passes Chevrotain's checks of its token definitions (skipped when the tools build it)", () => {
    // The lexer throws on a definition error; its list of them must be empty too.
    const checked = buildPolicyLexer({ validate: true });
    assert.deepEqual(checked.lexerDefinitionErrors, []);
    const text = 'tunnel "a" { hosts ["a.example.test"] trusted_ips [10.0.0.0/8] tls_min 1.2 }';
    assert.deepEqual(checked.tokenize(text), policyLexer.tokenize(text));
  });

  it("S-A3: lexes IPv4, IPv6 and CIDR forms as single tokens", () => {
    assert.deepEqual(
      lex("10.0.0.0/8 192.0.2.1 2001:db8::/32 ::1 :: fe80::1 ::ffff:10.0.0.1 2001:db8::1/128"),
      [
        "IPv4:10.0.0.0/8",
        "IPv4:192.0.2.1",
        "IPv6:2001:db8::/32",
        "IPv6:::1",
        "IPv6:::",
        "IPv6:fe80::1",
        "IPv6:::ffff:10.0.0.1",
        "IPv6:2001:db8::1/128",
      ],
    );
  });

  it("tells TLS versions, numbers, addresses and hex-looking words apart", () => {
    assert.deepEqual(lex("1.2 1.3 1.25 403 1.2.3.4 fe80 deadbeef"), [
      "Tls12:1.2",
      "Tls13:1.3",
      "NumberLiteral:1.25",
      "NumberLiteral:403",
      "IPv4:1.2.3.4",
      "Identifier:fe80",
      "Identifier:deadbeef",
    ]);
  });

  it("prefers the longest keyword and falls back to identifiers (longer_alt)", () => {
    assert.deepEqual(
      lex("auth auth-required authx tls tls-passthrough tls_min tls_min_version planet plan"),
      [
        "Auth:auth",
        "AuthRequired:auth-required",
        "Identifier:authx",
        "Tls:tls",
        "TlsPassthrough:tls-passthrough",
        "TlsMin:tls_min",
        "TlsMinVersion:tls_min_version",
        "Identifier:planet",
        "Plan:plan",
      ],
    );
  });

  it("lexes dotted permissions, label paths and operators", () => {
    assert.deepEqual(lex("tunnels.streams.create-delete labels.env == = ~"), [
      "PermStreamsCreateDelete:tunnels.streams.create-delete",
      "Labels:labels",
      "Dot:.",
      "Identifier:env",
      "EqEq:==",
      "Eq:=",
      "Tilde:~",
    ]);
  });

  it("keeps comments out of the token stream, in their own group", () => {
    const result = policyLexer.tokenize('plan pro # a comment\n"#not a comment"');
    assert.deepEqual(
      result.tokens.map((t) => t.image),
      ["plan", "pro", '"#not a comment"'],
    );
    assert.deepEqual(
      result.groups["comments"]?.map((t) => t.image),
      ["# a comment"],
    );
  });

  it("lexes malformed strings as string tokens of their own kind", () => {
    assert.deepEqual(lex('"ok" "bad\\q" "open'), [
      'StringLiteral:"ok"',
      'BadEscapeString:"bad\\q"',
      'UnterminatedString:"open',
    ]);
  });
});
