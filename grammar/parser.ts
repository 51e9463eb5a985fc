/**
 * The grammar of the Rampart policy language: a Chevrotain CST parser, rules only.
 *
 * One file is one project. Every rule maps onto one part of the JSON document model
 * (`src/syntax/model.ts`); `grammar/rampart.ebnf` is the same grammar for people. Semantics
 * (values, duplicates, spans) live in `src/syntax/cst-to-ast.ts`.
 *
 * Error messages: the parser's messages are not shown to users. The message provider below
 * encodes what the parser expected as JSON (`ParseErrorInfo`) and the syntax stage turns that
 * into a diagnostic, so that Chevrotain errors become diagnostics in exactly one place.
 */
import { CstParser, EOF } from "./chevrotain.ts";
import type { CstNode, IOrAlt, IParserErrorMessageProvider, IToken, TokenType } from "chevrotain";
import * as t from "./tokens.ts";

/** What a parse error's message carries (as JSON), for the syntax stage to render. */
export interface ParseErrorInfo {
  /** The Chevrotain error kind. */
  readonly kind: "mismatch" | "no-viable-alt" | "early-exit" | "not-all-input";
  /** Names of the token types that would have been accepted, without duplicates. */
  readonly expected: readonly string[];
  /** The rule the parser was in. */
  readonly rule: string;
}

/**
 * The keywords that can start a statement inside each block rule. When a block meets a word it
 * does not know, Chevrotain only reports that it expected `}`; these lists let the diagnostic
 * name the statements that fit there (and suggest the nearest one).
 */
export const blockStatementStarts: Readonly<Record<string, readonly TokenType[]>> = {
  projectBlock: [
    t.Name,
    t.Workspace,
    t.Plan,
    t.PublicAccess,
    t.TrustedIps,
    t.GeoIp,
    t.TlsMin,
  ].concat([t.PostQuantum, t.Ech]),
  tunnelBlock: [t.Name, t.Labels, t.Protocol, t.Hosts, t.Public, t.Private, t.Upstream, t.Auth]
    .concat([t.TokenAuth, t.RstreamAuth, t.Mtls, t.Challenge, t.ForwardAuthorization])
    .concat([t.AllowUsers, t.TrustedIps, t.GeoIp, t.TlsMin, t.PostQuantum, t.Ech]),
  allowUsersBlock: [t.Emails, t.Domains, t.Groups],
  grantBlock: [t.Type, t.Parent, t.Expires, t.Permissions, t.Resources],
  grantNode: [t.Any, t.All, t.Scope, t.Workspaces, t.Projects, t.Create, t.Connect, t.List],
  actionBody: [t.Path, t.Methods, t.Select, t.Params],
  credentialBlock: [t.SubjectCn, t.Fingerprint, t.Grant],
  testBlock: [t.Request, t.Expect],
  requestStatement: [t.Token, t.Header, t.Challenge, t.Session, t.Tls],
  sessionBlock: [t.User, t.Email, t.Name, t.Groups],
  tlsBlock: [t.Version, t.Group, t.Ech, t.ClientCert],
  policy: [t.Schema, t.Project, t.Tunnel, t.Grant, t.Credential, t.Test],
};

function uniqueNames(tokens: readonly TokenType[]): string[] {
  return [...new Set(tokens.map((tok) => tok.name))];
}

function encode(info: ParseErrorInfo): string {
  return JSON.stringify(info);
}

/** Encodes every parse error as a `ParseErrorInfo` JSON message (see the file comment). */
const structuredMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, ruleName }) {
    // A block (or the file) that meets an unknown word reports only its closer as expected.
    const closes = expected === t.RCurly || expected === EOF;
    const starts = closes ? (blockStatementStarts[ruleName] ?? []) : [];
    return encode({
      kind: "mismatch",
      expected: uniqueNames([...starts, expected]),
      rule: ruleName,
    });
  },
  buildNotAllInputParsedMessage({ ruleName }) {
    return encode({
      kind: "not-all-input",
      expected: uniqueNames([...(blockStatementStarts["policy"] ?? []), EOF]),
      rule: ruleName,
    });
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, ruleName }) {
    const firsts = expectedPathsPerAlt.flatMap((paths) => paths.map((p) => p[0]));
    return encode({
      kind: "no-viable-alt",
      expected: uniqueNames(firsts.filter((x): x is TokenType => x !== undefined)),
      rule: ruleName,
    });
  },
  buildEarlyExitMessage({ expectedIterationPaths, ruleName }) {
    const firsts = expectedIterationPaths.map((p) => p[0]);
    return encode({
      kind: "early-exit",
      expected: uniqueNames(firsts.filter((x): x is TokenType => x !== undefined)),
      rule: ruleName,
    });
  },
};

/**
 * The policy-language parser. Use `strictPolicyParser()` or `recoveringPolicyParser()`;
 * reset one by assigning `input`. With `recovery` (the default) it reports every syntax error
 * of a file; without, it stops at the first, and parses a valid file ~25% faster.
 */
export class PolicyParser extends CstParser {
  /**
   * `recovery`: report every syntax error (the default) or stop at the first. `validate`: check
   * the grammar itself (ambiguities, left recursion …) while building the parser; the grammar
   * is fixed code, so the test suite checks it once (`test/grammar/parser.test.ts`) and the
   * parsers the tools use skip the check, a third of building one.
   */
  constructor(options: { readonly recovery?: boolean; readonly validate?: boolean } = {}) {
    super(t.allTokens, {
      recoveryEnabled: options.recovery ?? true,
      skipValidations: !(options.validate ?? false),
      nodeLocationTracking: "onlyOffset",
      errorMessageProvider: structuredMessages,
    });
    this.performSelfAnalysis();
  }

  /**
   * Called with each top-level declaration as soon as it is parsed, while no syntax error has
   * been seen: the DSL front end turns it into the document at once and drops its subtree,
   * so a large file never holds its whole CST (see `src/syntax/cst-to-ast.ts`).
   */
  onDeclaration: ((node: CstNode) => void) | undefined = undefined;

  /**
   * Each `OR`'s alternatives, made once: the rules run for every statement of a large file,
   * and building a fresh array of closures on each call was a tenth of parsing time.
   */
  readonly #alternatives: IOrAlt<unknown>[][] = [];

  /** A file: top-level declarations in any order (exactly one `project` is checked later). */
  readonly policy = this.RULE("policy", () => {
    this.MANY(() => {
      const node = this.OR([
        { ALT: () => this.SUBRULE(this.schemaDecl) },
        { ALT: () => this.SUBRULE(this.projectBlock) },
        { ALT: () => this.SUBRULE(this.tunnelBlock) },
        { ALT: () => this.SUBRULE(this.grantBlock) },
        { ALT: () => this.SUBRULE(this.credentialBlock) },
        { ALT: () => this.SUBRULE(this.testBlock) },
      ]);
      if (this.onDeclaration !== undefined && this.errors.length === 0) this.onDeclaration(node);
    });
  });

  /** `schema "…"`: the JSON `$schema` reference, kept so conversions lose nothing. */
  readonly schemaDecl = this.RULE("schemaDecl", () => {
    this.CONSUME(t.Schema);
    this.CONSUME(t.StringLike);
  });

  // ------------------------------------------------------------------ project

  readonly projectBlock = this.RULE("projectBlock", () => {
    this.CONSUME(t.Project);
    this.CONSUME(t.StringLike);
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.projectStatement));
    this.CONSUME(t.RCurly);
  });

  readonly projectStatement = this.RULE("projectStatement", () => {
    this.OR(
      (this.#alternatives[1] ??= [
        {
          ALT: () => {
            this.CONSUME(t.Name);
            this.CONSUME1(t.StringLike);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Workspace);
            this.CONSUME2(t.StringLike);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Plan);
            this.CONSUME(t.PlanValue);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.PublicAccess);
            this.CONSUME(t.AccessValue);
          },
        },
        { ALT: () => this.SUBRULE(this.edgeStatement) },
      ]),
    );
  });

  /** Settings shared by the project (bounds) and tunnels (requests). */
  readonly edgeStatement = this.RULE("edgeStatement", () => {
    this.OR(
      (this.#alternatives[2] ??= [
        {
          ALT: () => {
            this.CONSUME(t.TrustedIps);
            this.SUBRULE1(this.list);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.GeoIp);
            this.SUBRULE2(this.list);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.TlsMin);
            this.CONSUME(t.TlsVersionValue);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.PostQuantum);
            this.CONSUME1(t.FeatureModeValue);
            this.OPTION(() => {
              this.CONSUME(t.Fips);
              this.OPTION1(() => this.CONSUME(t.BoolValue));
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Ech);
            this.CONSUME2(t.FeatureModeValue);
          },
        },
      ]),
    );
  });

  // ------------------------------------------------------------------ tunnels

  readonly tunnelBlock = this.RULE("tunnelBlock", () => {
    this.CONSUME(t.Tunnel);
    this.CONSUME(t.StringLike);
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.tunnelStatement));
    this.CONSUME(t.RCurly);
  });

  readonly tunnelStatement = this.RULE("tunnelStatement", () => {
    this.OR(
      (this.#alternatives[3] ??= [
        {
          ALT: () => {
            this.CONSUME(t.Name);
            this.CONSUME1(t.StringLike);
          },
        },
        { ALT: () => this.SUBRULE(this.labelsBlock) },
        {
          ALT: () => {
            this.CONSUME(t.Protocol);
            this.CONSUME(t.ProtocolValue);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Hosts);
            this.SUBRULE(this.list);
          },
        },
        { ALT: () => this.CONSUME(t.Public) },
        { ALT: () => this.CONSUME(t.Private) },
        {
          ALT: () => {
            this.CONSUME(t.Upstream);
            this.CONSUME2(t.StringLike);
          },
        },
        { ALT: () => this.SUBRULE(this.authStatement) },
        {
          ALT: () => {
            this.CONSUME(t.TokenAuth);
            this.CONSUME1(t.BoolValue);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.RstreamAuth);
            this.CONSUME2(t.BoolValue);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Mtls);
            this.CONSUME(t.Ca);
            this.CONSUME3(t.StringLike);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Challenge);
            this.CONSUME3(t.BoolValue);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.ForwardAuthorization);
            this.CONSUME4(t.BoolValue);
          },
        },
        { ALT: () => this.SUBRULE(this.allowUsersBlock) },
        { ALT: () => this.SUBRULE(this.edgeStatement) },
      ]),
    );
  });

  /** `labels { env = "prod", team = "core" }` (commas optional). */
  readonly labelsBlock = this.RULE("labelsBlock", () => {
    this.CONSUME(t.Labels);
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.labelEntry);
      this.OPTION(() => this.CONSUME(t.Comma));
    });
    this.CONSUME(t.RCurly);
  });

  readonly labelEntry = this.RULE("labelEntry", () => {
    this.SUBRULE(this.key);
    this.CONSUME(t.Eq);
    this.CONSUME(t.StringLike);
  });

  /** A map key: a bare word or a string. */
  readonly key = this.RULE("key", () => {
    this.OR(
      (this.#alternatives[4] ??= [
        { ALT: () => this.CONSUME(t.Word) },
        { ALT: () => this.CONSUME(t.StringLike) },
      ]),
    );
  });

  /** `auth token, rstream-auth` or `auth none`: sets both `token_auth` and `rstream_auth`. */
  readonly authStatement = this.RULE("authStatement", () => {
    this.CONSUME(t.Auth);
    this.OR(
      (this.#alternatives[5] ??= [
        { ALT: () => this.CONSUME(t.None) },
        {
          ALT: () => {
            this.AT_LEAST_ONE_SEP({
              SEP: t.Comma,
              DEF: () => {
                this.OR1([
                  { ALT: () => this.CONSUME(t.Token) },
                  { ALT: () => this.CONSUME(t.RstreamAuthMode) },
                ]);
              },
            });
          },
        },
      ]),
    );
  });

  /** `allow_users { emails […] domains […] groups […] }`: who rstream Auth lets through. */
  readonly allowUsersBlock = this.RULE("allowUsersBlock", () => {
    this.CONSUME(t.AllowUsers);
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.allowUsersStatement));
    this.CONSUME(t.RCurly);
  });

  readonly allowUsersStatement = this.RULE("allowUsersStatement", () => {
    this.OR(
      (this.#alternatives[6] ??= [
        { ALT: () => this.CONSUME(t.Emails) },
        { ALT: () => this.CONSUME(t.Domains) },
        { ALT: () => this.CONSUME(t.Groups) },
      ]),
    );
    this.SUBRULE(this.list);
  });

  // ------------------------------------------------------------------ grants

  readonly grantBlock = this.RULE("grantBlock", () => {
    this.CONSUME(t.Grant);
    this.CONSUME(t.StringLike);
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.grantStatement));
    this.CONSUME(t.RCurly);
  });

  readonly grantStatement = this.RULE("grantStatement", () => {
    this.OR(
      (this.#alternatives[7] ??= [
        {
          ALT: () => {
            this.CONSUME(t.Type);
            this.CONSUME(t.TokenTypeValue);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Parent);
            this.CONSUME1(t.StringLike);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Expires);
            this.CONSUME2(t.StringLike);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Permissions);
            this.OR1([{ ALT: () => this.CONSUME(t.All) }, { ALT: () => this.SUBRULE(this.list) }]);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Resources);
            this.SUBRULE(this.grantNode);
          },
        },
      ]),
    );
  });

  /** `any { … }` (OR), `all { … }` (AND) or a leaf `scope { … }`. */
  readonly grantNode = this.RULE("grantNode", () => {
    this.OR(
      (this.#alternatives[8] ??= [
        {
          ALT: () => {
            this.CONSUME(t.Combinator);
            this.CONSUME1(t.LCurly);
            this.MANY1(() => this.SUBRULE(this.grantNode));
            this.CONSUME1(t.RCurly);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Scope);
            this.CONSUME2(t.LCurly);
            this.MANY2(() => this.SUBRULE(this.scopeStatement));
            this.CONSUME2(t.RCurly);
          },
        },
      ]),
    );
  });

  readonly scopeStatement = this.RULE("scopeStatement", () => {
    this.OR(
      (this.#alternatives[9] ??= [
        {
          ALT: () => {
            this.CONSUME(t.Workspaces);
            this.SUBRULE1(this.list);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Projects);
            this.SUBRULE2(this.list);
          },
        },
        { ALT: () => this.SUBRULE(this.actionStatement) },
      ]),
    );
  });

  /**
   * `connect` (true), `connect off` (false), or an object: `connect where F { path … }`,
   * `connect { … }`; the braces hold `path`, `methods`, `select` and `params {}`.
   */
  readonly actionStatement = this.RULE("actionStatement", () => {
    this.CONSUME(t.ActionKind);
    this.OPTION(() => {
      this.OR(
        (this.#alternatives[10] ??= [
          { ALT: () => this.CONSUME(t.BoolValue) },
          {
            ALT: () => {
              this.CONSUME(t.Where);
              this.SUBRULE(this.filter);
              this.OPTION1(() => this.SUBRULE1(this.actionBody));
            },
          },
          { ALT: () => this.SUBRULE2(this.actionBody) },
        ]),
      );
    });
  });

  readonly actionBody = this.RULE("actionBody", () => {
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.actionBodyStatement));
    this.CONSUME(t.RCurly);
  });

  readonly actionBodyStatement = this.RULE("actionBodyStatement", () => {
    this.OR(
      (this.#alternatives[11] ??= [
        { ALT: () => this.SUBRULE(this.pathStatement) },
        {
          ALT: () => {
            this.CONSUME(t.Methods);
            this.SUBRULE1(this.list);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Select);
            this.SUBRULE2(this.list);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Params);
            this.CONSUME(t.LCurly);
            this.CONSUME(t.RCurly);
          },
        },
      ]),
    );
  });

  /** `path = "/x"`, `== "/x"`, `in […]`, `~ "^/v1"`, `prefix […]` or `glob […]`. */
  readonly pathStatement = this.RULE("pathStatement", () => {
    this.CONSUME(t.Path);
    this.OR(
      (this.#alternatives[12] ??= [
        {
          ALT: () => {
            this.CONSUME(t.Eq);
            this.CONSUME(t.StringLike);
          },
        },
        { ALT: () => this.SUBRULE(this.stringMatch) },
        {
          ALT: () => {
            this.CONSUME(t.Prefix);
            this.SUBRULE1(this.list);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Glob);
            this.SUBRULE2(this.list);
          },
        },
      ]),
    );
  });

  /** A string-field match (S-T4): `= "x"`, `== "x"` (explicit exact), `in […]`, `~ "re"`. */
  readonly stringMatch = this.RULE("stringMatch", () => {
    this.OR(
      (this.#alternatives[13] ??= [
        {
          ALT: () => {
            this.CONSUME(t.EqEq);
            this.CONSUME1(t.StringLike);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.In);
            this.SUBRULE(this.list);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Tilde);
            this.CONSUME2(t.StringLike);
          },
        },
      ]),
    );
  });

  /**
   * A tunnel filter (S-T4): `all(F, …)` (AND), `any(F, …)` (OR), `true` (no constraint) or
   * comparisons joined by `and` (one JSON filter object; each field at most once).
   */
  readonly filter = this.RULE("filter", () => {
    this.OR(
      (this.#alternatives[14] ??= [
        {
          ALT: () => {
            this.CONSUME(t.Combinator);
            this.CONSUME(t.LParen);
            this.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.filter) });
            this.CONSUME(t.RParen);
          },
        },
        { ALT: () => this.CONSUME(t.True) },
        {
          ALT: () => {
            this.AT_LEAST_ONE_SEP1({ SEP: t.And, DEF: () => this.SUBRULE(this.comparison) });
          },
        },
      ]),
    );
  });

  /** `name = "api"`, `labels.env ~ "^prod"`, `publish = true`, `geo_ip = [DE]` … */
  readonly comparison = this.RULE("comparison", () => {
    this.OR(
      (this.#alternatives[15] ??= [
        {
          ALT: () => {
            this.CONSUME(t.Labels);
            this.CONSUME(t.Dot);
            this.SUBRULE(this.key);
          },
        },
        { ALT: () => this.CONSUME(t.FilterField) },
      ]),
    );
    this.OR1([
      {
        ALT: () => {
          this.CONSUME(t.Eq);
          this.SUBRULE(this.filterValue);
        },
      },
      { ALT: () => this.SUBRULE(this.stringMatch) },
    ]);
  });

  /** The right side of `=`: a string (exact), a boolean or a list. */
  readonly filterValue = this.RULE("filterValue", () => {
    this.OR(
      (this.#alternatives[16] ??= [
        { ALT: () => this.CONSUME(t.StringLike) },
        { ALT: () => this.CONSUME(t.BoolValue) },
        { ALT: () => this.SUBRULE(this.list) },
      ]),
    );
  });

  // ------------------------------------------------------------------ credentials

  readonly credentialBlock = this.RULE("credentialBlock", () => {
    this.CONSUME(t.Credential);
    this.CONSUME(t.StringLike);
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.credentialStatement));
    this.CONSUME(t.RCurly);
  });

  readonly credentialStatement = this.RULE("credentialStatement", () => {
    this.OR(
      (this.#alternatives[17] ??= [
        { ALT: () => this.CONSUME(t.SubjectCn) },
        { ALT: () => this.CONSUME(t.Fingerprint) },
        { ALT: () => this.CONSUME(t.Grant) },
      ]),
    );
    this.CONSUME(t.StringLike);
  });

  // ------------------------------------------------------------------ policy tests

  readonly testBlock = this.RULE("testBlock", () => {
    this.CONSUME(t.Test);
    this.CONSUME(t.StringLike);
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.OR(
        (this.#alternatives[18] ??= [
          { ALT: () => this.SUBRULE(this.requestStatement) },
          { ALT: () => this.SUBRULE(this.expectStatement) },
        ]),
      );
    });
    this.CONSUME(t.RCurly);
  });

  /** `request GET "https://host/path" from 192.0.2.1 country DE { … }`. */
  readonly requestStatement = this.RULE("requestStatement", () => {
    this.CONSUME(t.Request);
    this.OPTION(() => this.CONSUME(t.Word));
    this.CONSUME(t.StringLike);
    this.CONSUME(t.From);
    this.SUBRULE(this.listItem);
    this.OPTION1(() => {
      this.CONSUME(t.Country);
      this.SUBRULE(this.key);
    });
    this.OPTION2(() => {
      this.CONSUME(t.LCurly);
      this.MANY(() => this.SUBRULE(this.requestDetail));
      this.CONSUME(t.RCurly);
    });
  });

  readonly requestDetail = this.RULE("requestDetail", () => {
    this.OR(
      (this.#alternatives[19] ??= [
        { ALT: () => this.SUBRULE(this.tokenStatement) },
        {
          ALT: () => {
            this.CONSUME(t.Header);
            this.CONSUME1(t.StringLike);
            this.CONSUME(t.Eq);
            this.CONSUME2(t.StringLike);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Challenge);
            this.CONSUME(t.CookieStateValue);
          },
        },
        { ALT: () => this.SUBRULE(this.sessionBlock) },
        { ALT: () => this.SUBRULE(this.tlsBlock) },
      ]),
    );
  });

  /** `token grant "g" in query` or `token invalid expired`. */
  readonly tokenStatement = this.RULE("tokenStatement", () => {
    this.CONSUME(t.Token);
    this.OR(
      (this.#alternatives[20] ??= [
        {
          ALT: () => {
            this.CONSUME(t.Grant);
            this.CONSUME(t.StringLike);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Invalid);
            this.CONSUME(t.InvalidTokenValue);
          },
        },
      ]),
    );
    this.OPTION(() => {
      this.CONSUME(t.In);
      this.CONSUME(t.TokenPlaceValue);
    });
  });

  readonly sessionBlock = this.RULE("sessionBlock", () => {
    this.CONSUME(t.Session);
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.sessionStatement));
    this.CONSUME(t.RCurly);
  });

  readonly sessionStatement = this.RULE("sessionStatement", () => {
    this.OR(
      (this.#alternatives[21] ??= [
        {
          ALT: () => {
            this.OR1([
              { ALT: () => this.CONSUME(t.User) },
              { ALT: () => this.CONSUME(t.Email) },
              { ALT: () => this.CONSUME(t.Name) },
            ]);
            this.CONSUME(t.StringLike);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Groups);
            this.SUBRULE(this.list);
          },
        },
      ]),
    );
  });

  readonly tlsBlock = this.RULE("tlsBlock", () => {
    this.CONSUME(t.Tls);
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.tlsStatement));
    this.CONSUME(t.RCurly);
  });

  readonly tlsStatement = this.RULE("tlsStatement", () => {
    this.OR(
      (this.#alternatives[22] ??= [
        {
          ALT: () => {
            this.CONSUME(t.Version);
            this.CONSUME(t.TlsVersionValue);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Group);
            this.CONSUME1(t.StringLike);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Ech);
            this.CONSUME(t.BoolValue);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.ClientCert);
            this.CONSUME2(t.StringLike);
          },
        },
      ]),
    );
  });

  /** `expect deny 403 policy_denied ip`: outcome, then optional status, reason and policy. */
  readonly expectStatement = this.RULE("expectStatement", () => {
    this.CONSUME(t.Expect);
    this.CONSUME(t.OutcomeValue);
    this.OPTION(() => this.CONSUME(t.NumberLiteral));
    this.OPTION1(() => this.CONSUME(t.ReasonValue));
    this.OPTION2(() => this.CONSUME(t.PolicyKindValue));
  });

  // ------------------------------------------------------------------ lists

  /** `[a, b, c]`, trailing comma allowed. */
  readonly list = this.RULE("list", () => {
    this.CONSUME(t.LSquare);
    this.MANY(() => {
      this.SUBRULE(this.listItem);
      this.OPTION(() => this.CONSUME(t.Comma));
    });
    this.CONSUME(t.RSquare);
  });

  /** A list element: a string, an address or CIDR, a word, or a permission. */
  readonly listItem = this.RULE("listItem", () => {
    this.OR(
      (this.#alternatives[23] ??= [
        { ALT: () => this.CONSUME(t.StringLike) },
        { ALT: () => this.CONSUME(t.IPv4) },
        { ALT: () => this.CONSUME(t.IPv6) },
        { ALT: () => this.CONSUME(t.Word) },
        { ALT: () => this.CONSUME(t.PermissionValue) },
      ]),
    );
  });
}

// Building a Chevrotain parser analyses the whole grammar (tens of milliseconds): each of the
// two is built once, when first needed, and reused.
let strictParser: PolicyParser | undefined;
let recoveringParser: PolicyParser | undefined;

/**
 * The parser without error recovery: the DSL front end parses with it first, and again with
 * `recoveringPolicyParser()` only when a file has syntax errors to report.
 */
export function strictPolicyParser(): PolicyParser {
  return (strictParser ??= new PolicyParser({ recovery: false }));
}

/** The parser with error recovery, which reports every syntax error of a file. */
export function recoveringPolicyParser(): PolicyParser {
  return (recoveringParser ??= new PolicyParser());
}

/** Tokens the parser can never see: used to tell "end of input" from a real token. */
export function isEndOfInput(token: IToken): boolean {
  return token.tokenType === EOF;
}
