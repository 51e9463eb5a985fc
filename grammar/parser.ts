/**
 * The grammar of the Rampart policy language: a Chevrotain parser whose rules return the typed
 * syntax tree of `syntax-tree.ts` (tokens, grouped by statement).
 *
 * One file is one project. Every rule maps onto one part of the JSON document model
 * (`src/syntax/model.ts`); `grammar/rampart.ebnf` is the same grammar for people, and
 * `src/syntax/dsl/piece-parser.ts` and `src/syntax/dsl/text-to-document.ts` (with its
 * `direct-*.ts`) the same grammar as plain recursive descent, which read valid files faster (a
 * change here is made in both too: `test/syntax/dsl-pieces.test.ts` checks that all three give
 * the same tree, document and spans). Semantics
 * (keys, values, duplicates, spans) live in `src/syntax/dsl/tree-to-document.ts`.
 *
 * Error messages: the parser's messages are not shown to users. The message provider below
 * encodes what the parser expected as JSON (`ParseErrorInfo`) and the syntax stage turns that
 * into a diagnostic, so that Chevrotain errors become diagnostics in exactly one place.
 */
import { EmbeddedActionsParser, EOF } from "./chevrotain.ts";
import type {
  IOrAlt,
  IParserErrorMessageProvider,
  IToken,
  ParserMethod,
  TokenType,
} from "chevrotain";
import type {
  Action,
  ActionBody,
  ActionBodyStatement,
  AllowUsers,
  Auth,
  Block,
  Comparison,
  CredentialBlock,
  Declaration,
  Expect,
  Extent,
  Filter,
  FilterCombinator,
  FilterFields,
  GrantBlock,
  GrantCombinator,
  GrantNode,
  GrantScope,
  GrantStatement,
  Header,
  LabelEntry,
  Labels,
  Members,
  Mtls,
  NestedBlock,
  Params,
  PathStatement,
  PostQuantum,
  ProjectBlock,
  ProjectStatement,
  Request,
  RequestDetail,
  Resources,
  SchemaDeclaration,
  ScopeStatement,
  Setting,
  StringMatch,
  TestBlock,
  TestStatement,
  TokenDetail,
  TokenList,
  TunnelBlock,
  TunnelStatement,
} from "./syntax-tree.ts";
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
    t.Members,
    t.TrustedIps,
    t.GeoIp,
    t.TlsMin,
  ].concat([t.PostQuantum, t.Ech]),
  tunnelBlock: [t.Name, t.Labels, t.Protocol, t.Hosts, t.Public, t.Private, t.Upstream, t.Auth]
    .concat([t.TokenAuth, t.RstreamAuth, t.Mtls, t.Challenge, t.ForwardAuthorization])
    .concat([t.AllowUsers, t.TrustedIps, t.GeoIp, t.TlsMin, t.PostQuantum, t.Ech]),
  allowUsersBlock: [t.Emails, t.Domains, t.Groups],
  membersBlock: [t.Users, t.Clients],
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

/** The end of a node that ends with `token` (one past its last character). */
const after = (token: IToken): number => (token.endOffset ?? token.startOffset) + 1;

/**
 * What a rule returns when error recovery skipped it: the recovering parser's tree is never
 * read (only its errors are), but the rules that hold a skipped node read its extent.
 */
const SKIPPED: Extent = Object.freeze({ start: Number.NaN, end: Number.NaN });

/**
 * The policy-language parser. Use `strictPolicyParser()` or `recoveringPolicyParser()`;
 * reset one by assigning `input`. With `recovery` (the default) it reports every syntax error
 * of a file; without, it stops at the first, and parses a valid file ~25% faster.
 *
 * Each rule returns its node of `syntax-tree.ts`. While Chevrotain records the grammar (once,
 * when the parser is built) the rules run with placeholder tokens and nodes: they only store
 * what they are given, and never read into a subrule's node beyond its extent.
 */
export class PolicyParser extends EmbeddedActionsParser {
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
      errorMessageProvider: structuredMessages,
    });
    this.performSelfAnalysis();
  }

  /**
   * Called with each top-level declaration as soon as it is parsed, while no syntax error has
   * been seen: the DSL front end turns it into the document at once and drops it, so a large
   * file never holds its whole tree (see `src/syntax/dsl-to-ast.ts`).
   */
  onDeclaration: ((node: Declaration) => void) | undefined = undefined;

  /**
   * Each `OR`'s alternatives, made once: the rules run for every statement of a large file,
   * and building a fresh array of closures on each call was a tenth of parsing time. Made on
   * a rule's first call, they close over that call's variables only: so they return what they
   * read, and never assign to the variables of the rule that runs them.
   */
  readonly #alternatives: IOrAlt<unknown>[][] = [];

  #alts<T>(index: number, make: () => IOrAlt<T>[]): IOrAlt<T>[] {
    return (this.#alternatives[index] ??= make()) as IOrAlt<T>[];
  }

  /** A grammar rule whose node, when recovery skips it, is `SKIPPED`. */
  #rule<F extends () => unknown>(name: string, impl: F): ParserMethod<[], ReturnType<F>> {
    return this.RULE(name, impl, {
      recoveryValueFunc: () => SKIPPED as ReturnType<F>,
    });
  }

  /** `keyword value` where the value is one token of type `value`. */
  #setting(keyword: TokenType, value: TokenType, idx: number): Setting {
    const k = this.consume(idx, keyword);
    const v = this.consume(idx, value);
    return { kind: "setting", keyword: k, value: v, start: k.startOffset, end: after(v) };
  }

  /** `keyword [list]`. */
  #listSetting(keyword: TokenType, idx: number): Setting {
    const k = this.consume(idx, keyword);
    const list = this.subrule(idx, this.list);
    return { kind: "setting", keyword: k, value: list, start: k.startOffset, end: list.end };
  }

  /** `keyword "name" { statements }`: the five block declarations. */
  #block<Kind extends string, S>(
    kind: Kind,
    keyword: TokenType,
    statement: () => S,
  ): Block<Kind, S> {
    const k = this.CONSUME(keyword);
    const name = this.CONSUME(t.StringLike);
    this.CONSUME(t.LCurly);
    const statements: S[] = [];
    this.MANY(() => {
      statements.push(statement());
    });
    const close = this.CONSUME(t.RCurly);
    return { kind, keyword: k, name, statements, close, start: k.startOffset, end: after(close) };
  }

  /** A file: top-level declarations in any order (exactly one `project` is checked later). */
  readonly policy = this.RULE("policy", () => {
    this.MANY(() => {
      const node = this.OR(
        this.#alts<Declaration>(0, () => [
          { ALT: () => this.SUBRULE(this.schemaDecl) },
          { ALT: () => this.SUBRULE(this.projectBlock) },
          { ALT: () => this.SUBRULE(this.tunnelBlock) },
          { ALT: () => this.SUBRULE(this.grantBlock) },
          { ALT: () => this.SUBRULE(this.credentialBlock) },
          { ALT: () => this.SUBRULE(this.testBlock) },
        ]),
      );
      if (this.onDeclaration !== undefined && this.errors.length === 0) this.onDeclaration(node);
    });
  });

  /** `schema "…"`: the JSON `$schema` reference, kept so conversions lose nothing. */
  readonly schemaDecl = this.#rule("schemaDecl", (): SchemaDeclaration => {
    const keyword = this.CONSUME(t.Schema);
    const value = this.CONSUME(t.StringLike);
    return { kind: "schema", keyword, value, start: keyword.startOffset, end: after(value) };
  });

  // ------------------------------------------------------------------ project

  readonly projectBlock = this.#rule("projectBlock", (): ProjectBlock =>
    this.#block("project", t.Project, () => this.SUBRULE(this.projectStatement)),
  );

  readonly projectStatement = this.#rule("projectStatement", () =>
    this.OR(
      this.#alts<ProjectStatement>(1, () => [
        { ALT: () => this.#setting(t.Name, t.StringLike, 1) },
        { ALT: () => this.#setting(t.Workspace, t.StringLike, 2) },
        { ALT: () => this.#setting(t.Plan, t.PlanValue, 0) },
        { ALT: () => this.#setting(t.PublicAccess, t.AccessValue, 0) },
        { ALT: () => this.SUBRULE(this.membersBlock) },
        { ALT: () => this.SUBRULE(this.edgeStatement) },
      ]),
    ),
  );

  /** `members { users […] clients […] }`: who belongs to the project (S-T8). */
  readonly membersBlock = this.#rule("membersBlock", (): Members => {
    const keyword = this.CONSUME(t.Members);
    this.CONSUME(t.LCurly);
    const statements: Setting[] = [];
    this.MANY(() => {
      statements.push(this.SUBRULE(this.membersStatement));
    });
    const close = this.CONSUME(t.RCurly);
    return { kind: "members", keyword, statements, start: keyword.startOffset, end: after(close) };
  });

  readonly membersStatement = this.#rule("membersStatement", (): Setting => {
    const keyword = this.OR(
      this.#alts<IToken>(25, () => [
        { ALT: () => this.CONSUME(t.Users) },
        { ALT: () => this.CONSUME(t.Clients) },
      ]),
    );
    const list = this.SUBRULE(this.list);
    return { kind: "setting", keyword, value: list, start: keyword.startOffset, end: list.end };
  });

  /** Settings shared by the project (bounds) and tunnels (requests). */
  readonly edgeStatement = this.#rule("edgeStatement", () =>
    this.OR(
      this.#alts<Setting | PostQuantum>(2, () => [
        { ALT: () => this.#listSetting(t.TrustedIps, 1) },
        { ALT: () => this.#listSetting(t.GeoIp, 2) },
        { ALT: () => this.#setting(t.TlsMin, t.TlsVersionValue, 0) },
        {
          ALT: (): PostQuantum => {
            const keyword = this.CONSUME(t.PostQuantum);
            const mode = this.CONSUME1(t.FeatureModeValue);
            let fips: IToken | undefined;
            let fipsValue: IToken | undefined;
            this.OPTION(() => {
              fips = this.CONSUME(t.Fips);
              this.OPTION1(() => {
                fipsValue = this.CONSUME(t.BoolValue);
              });
            });
            const last = fipsValue ?? fips ?? mode;
            return {
              kind: "post-quantum",
              keyword,
              mode,
              fips,
              fipsValue,
              start: keyword.startOffset,
              end: after(last),
            };
          },
        },
        { ALT: () => this.#setting(t.Ech, t.FeatureModeValue, 2) },
      ]),
    ),
  );

  // ------------------------------------------------------------------ tunnels

  readonly tunnelBlock = this.#rule("tunnelBlock", (): TunnelBlock =>
    this.#block("tunnel", t.Tunnel, () => this.SUBRULE(this.tunnelStatement)),
  );

  readonly tunnelStatement = this.#rule("tunnelStatement", () =>
    this.OR(
      this.#alts<TunnelStatement>(3, () => [
        { ALT: () => this.#setting(t.Name, t.StringLike, 1) },
        { ALT: () => this.SUBRULE(this.labelsBlock) },
        { ALT: () => this.#setting(t.Protocol, t.ProtocolValue, 0) },
        { ALT: () => this.#listSetting(t.Hosts, 0) },
        { ALT: () => this.#bare(t.Public) },
        { ALT: () => this.#bare(t.Private) },
        { ALT: () => this.#setting(t.Upstream, t.StringLike, 2) },
        { ALT: () => this.SUBRULE(this.authStatement) },
        { ALT: () => this.#setting(t.TokenAuth, t.BoolValue, 1) },
        { ALT: () => this.#setting(t.RstreamAuth, t.BoolValue, 2) },
        {
          ALT: (): Mtls => {
            const keyword = this.CONSUME(t.Mtls);
            this.CONSUME(t.Ca);
            const ca = this.CONSUME3(t.StringLike);
            return { kind: "mtls", keyword, ca, start: keyword.startOffset, end: after(ca) };
          },
        },
        { ALT: () => this.#setting(t.Challenge, t.BoolValue, 3) },
        { ALT: () => this.#setting(t.ForwardAuthorization, t.BoolValue, 4) },
        { ALT: () => this.SUBRULE(this.allowUsersBlock) },
        { ALT: () => this.SUBRULE(this.edgeStatement) },
      ]),
    ),
  );

  /** A keyword alone (`public`, `private`). */
  #bare(keyword: TokenType): Setting {
    const k = this.CONSUME(keyword);
    return { kind: "setting", keyword: k, value: undefined, start: k.startOffset, end: after(k) };
  }

  /** `labels { env = "prod", team = "core" }` (commas optional). */
  readonly labelsBlock = this.#rule("labelsBlock", (): Labels => {
    const keyword = this.CONSUME(t.Labels);
    this.CONSUME(t.LCurly);
    const entries: LabelEntry[] = [];
    this.MANY(() => {
      entries.push(this.SUBRULE(this.labelEntry));
      this.OPTION(() => this.CONSUME(t.Comma));
    });
    const close = this.CONSUME(t.RCurly);
    return { kind: "labels", keyword, entries, start: keyword.startOffset, end: after(close) };
  });

  readonly labelEntry = this.#rule("labelEntry", (): LabelEntry => {
    const key = this.SUBRULE(this.key);
    this.CONSUME(t.Eq);
    const value = this.CONSUME(t.StringLike);
    return { key, value };
  });

  /** A map key: a bare word or a string. */
  readonly key = this.#rule("key", () =>
    this.OR(
      this.#alts<IToken>(4, () => [
        { ALT: () => this.CONSUME(t.Word) },
        { ALT: () => this.CONSUME(t.StringLike) },
      ]),
    ),
  );

  /** `auth token, rstream-auth` or `auth none`: sets both `token_auth` and `rstream_auth`. */
  readonly authStatement = this.#rule("authStatement", (): Auth => {
    const keyword = this.CONSUME(t.Auth);
    // The alternatives are made once (see `#alternatives`): they return what they read
    // instead of assigning to this call's variables.
    const read = this.OR(
      this.#alts<IToken | IToken[]>(5, () => [
        { ALT: () => this.CONSUME(t.None) },
        {
          ALT: () => {
            const modes: IToken[] = [];
            this.AT_LEAST_ONE_SEP({
              SEP: t.Comma,
              DEF: () => {
                modes.push(
                  this.OR1([
                    { ALT: () => this.CONSUME(t.Token) },
                    { ALT: () => this.CONSUME(t.RstreamAuthMode) },
                  ]),
                );
              },
            });
            return modes;
          },
        },
      ]),
    );
    const none = Array.isArray(read) ? undefined : read;
    const modes = Array.isArray(read) ? read : [];
    const last = none ?? modes.at(-1) ?? keyword;
    return { kind: "auth", keyword, none, modes, start: keyword.startOffset, end: after(last) };
  });

  /** `allow_users { emails […] domains […] groups […] }`: who rstream Auth lets through. */
  readonly allowUsersBlock = this.#rule("allowUsersBlock", (): AllowUsers => {
    const keyword = this.CONSUME(t.AllowUsers);
    this.CONSUME(t.LCurly);
    const statements: Setting[] = [];
    this.MANY(() => {
      statements.push(this.SUBRULE(this.allowUsersStatement));
    });
    const close = this.CONSUME(t.RCurly);
    return {
      kind: "allow-users",
      keyword,
      statements,
      start: keyword.startOffset,
      end: after(close),
    };
  });

  readonly allowUsersStatement = this.#rule("allowUsersStatement", (): Setting => {
    const keyword = this.OR(
      this.#alts<IToken>(6, () => [
        { ALT: () => this.CONSUME(t.Emails) },
        { ALT: () => this.CONSUME(t.Domains) },
        { ALT: () => this.CONSUME(t.Groups) },
      ]),
    );
    const list = this.SUBRULE(this.list);
    return { kind: "setting", keyword, value: list, start: keyword.startOffset, end: list.end };
  });

  // ------------------------------------------------------------------ grants

  readonly grantBlock = this.#rule("grantBlock", (): GrantBlock =>
    this.#block("grant", t.Grant, () => this.SUBRULE(this.grantStatement)),
  );

  readonly grantStatement = this.#rule("grantStatement", () =>
    this.OR(
      this.#alts<GrantStatement>(7, () => [
        { ALT: () => this.#setting(t.Type, t.TokenTypeValue, 0) },
        { ALT: () => this.#setting(t.Parent, t.StringLike, 1) },
        { ALT: () => this.#setting(t.Expires, t.StringLike, 2) },
        {
          ALT: (): Setting => {
            const keyword = this.CONSUME(t.Permissions);
            const value = this.OR1([
              { ALT: () => this.CONSUME(t.All) },
              { ALT: () => this.SUBRULE(this.list) },
            ]);
            const end = "kind" in value ? value.end : after(value);
            return { kind: "setting", keyword, value, start: keyword.startOffset, end };
          },
        },
        {
          ALT: (): Resources => {
            const keyword = this.CONSUME(t.Resources);
            const tree = this.SUBRULE(this.grantNode);
            return { kind: "resources", keyword, tree, start: keyword.startOffset, end: tree.end };
          },
        },
      ]),
    ),
  );

  /** `any { … }` (OR), `all { … }` (AND) or a leaf `scope { … }`. */
  readonly grantNode = this.#rule("grantNode", () =>
    this.OR(
      this.#alts<GrantNode>(8, () => [
        {
          ALT: (): GrantCombinator => {
            const combinator = this.CONSUME(t.Combinator);
            this.CONSUME1(t.LCurly);
            const children: GrantNode[] = [];
            this.MANY1(() => {
              children.push(this.SUBRULE(this.grantNode));
            });
            const close = this.CONSUME1(t.RCurly);
            const start = combinator.startOffset;
            return {
              kind: "grant-combinator",
              combinator,
              children,
              close,
              start,
              end: after(close),
            };
          },
        },
        {
          ALT: (): GrantScope => {
            const scope = this.CONSUME(t.Scope);
            this.CONSUME2(t.LCurly);
            const statements: ScopeStatement[] = [];
            this.MANY2(() => {
              statements.push(this.SUBRULE(this.scopeStatement));
            });
            const close = this.CONSUME2(t.RCurly);
            const start = scope.startOffset;
            return { kind: "grant-scope", statements, close, start, end: after(close) };
          },
        },
      ]),
    ),
  );

  readonly scopeStatement = this.#rule("scopeStatement", () =>
    this.OR(
      this.#alts<ScopeStatement>(9, () => [
        { ALT: () => this.#listSetting(t.Workspaces, 1) },
        { ALT: () => this.#listSetting(t.Projects, 2) },
        { ALT: () => this.SUBRULE(this.actionStatement) },
      ]),
    ),
  );

  /**
   * `connect` (true), `connect off` (false), or an object: `connect where F { path … }`,
   * `connect { … }`; the braces hold `path`, `methods`, `select` and `params {}`.
   */
  readonly actionStatement = this.#rule("actionStatement", (): Action => {
    const keyword = this.CONSUME(t.ActionKind);
    const read = this.OPTION(() =>
      this.OR(
        this.#alts<ActionParts>(10, () => [
          { ALT: () => ({ flag: this.CONSUME(t.BoolValue) }) },
          {
            ALT: () => {
              const where = this.CONSUME(t.Where);
              const filter = this.SUBRULE(this.filter);
              const body = this.OPTION1(() => this.SUBRULE1(this.actionBody));
              return { where, filter, body };
            },
          },
          { ALT: () => ({ body: this.SUBRULE2(this.actionBody) }) },
        ]),
      ),
    );
    const flag = read?.flag;
    const filter = read?.filter;
    const body = read?.body;
    const end = body?.end ?? filter?.end ?? after(flag ?? keyword);
    const start = keyword.startOffset;
    return { kind: "action", keyword, flag, where: read?.where, filter, body, start, end };
  });

  readonly actionBody = this.#rule("actionBody", (): ActionBody => {
    const open = this.CONSUME(t.LCurly);
    const statements: ActionBodyStatement[] = [];
    this.MANY(() => {
      statements.push(this.SUBRULE(this.actionBodyStatement));
    });
    const close = this.CONSUME(t.RCurly);
    return { statements, close, start: open.startOffset, end: after(close) };
  });

  readonly actionBodyStatement = this.#rule("actionBodyStatement", () =>
    this.OR(
      this.#alts<ActionBodyStatement>(11, () => [
        { ALT: () => this.SUBRULE(this.pathStatement) },
        { ALT: () => this.#listSetting(t.Methods, 1) },
        { ALT: () => this.#listSetting(t.Select, 2) },
        {
          ALT: (): Params => {
            const keyword = this.CONSUME(t.Params);
            this.CONSUME(t.LCurly);
            const close = this.CONSUME(t.RCurly);
            return { kind: "params", keyword, start: keyword.startOffset, end: after(close) };
          },
        },
      ]),
    ),
  );

  /** `path = "/x"`, `== "/x"`, `in […]`, `~ "^/v1"`, `prefix […]` or `glob […]`. */
  readonly pathStatement = this.#rule("pathStatement", (): PathStatement => {
    const keyword = this.CONSUME(t.Path);
    const read = this.OR(
      this.#alts<StringMatch | readonly [IToken, IToken | TokenList]>(12, () => [
        { ALT: () => [this.CONSUME(t.Eq), this.CONSUME(t.StringLike)] as const },
        { ALT: () => this.SUBRULE(this.stringMatch) },
        { ALT: () => [this.CONSUME(t.Prefix), this.SUBRULE1(this.list)] as const },
        { ALT: () => [this.CONSUME(t.Glob), this.SUBRULE2(this.list)] as const },
      ]),
    );
    const match = Array.isArray(read) ? undefined : (read as StringMatch);
    const [operator, value] = Array.isArray(read) ? read : [undefined, undefined];
    const end = endOf(match ?? value ?? keyword);
    return { kind: "path", keyword, operator, value, match, start: keyword.startOffset, end };
  });

  /** A string-field match (S-T4): `= "x"`, `== "x"` (explicit exact), `in […]`, `~ "re"`. */
  readonly stringMatch = this.#rule("stringMatch", () =>
    this.OR(
      this.#alts<StringMatch>(13, () => [
        { ALT: () => matchNode(this.CONSUME(t.EqEq), this.CONSUME1(t.StringLike)) },
        { ALT: () => matchNode(this.CONSUME(t.In), this.SUBRULE(this.list)) },
        { ALT: () => matchNode(this.CONSUME(t.Tilde), this.CONSUME2(t.StringLike)) },
      ]),
    ),
  );

  /**
   * A tunnel filter (S-T4): `all(F, …)` (AND), `any(F, …)` (OR), `true` (no constraint) or
   * comparisons joined by `and` (one JSON filter object; each field at most once).
   */
  readonly filter = this.#rule("filter", () =>
    this.OR(
      this.#alts<Filter>(14, () => [
        {
          ALT: (): FilterCombinator => {
            const combinator = this.CONSUME(t.Combinator);
            this.CONSUME(t.LParen);
            const items: Filter[] = [];
            this.AT_LEAST_ONE_SEP({
              SEP: t.Comma,
              DEF: () => {
                items.push(this.SUBRULE(this.filter));
              },
            });
            const close = this.CONSUME(t.RParen);
            const start = combinator.startOffset;
            return { kind: "filter-combinator", combinator, items, start, end: after(close) };
          },
        },
        {
          ALT: (): FilterFields => {
            const token = this.CONSUME(t.True);
            const start = token.startOffset;
            return { kind: "filter-fields", comparisons: [], start, end: after(token) };
          },
        },
        {
          ALT: (): FilterFields => {
            const comparisons: Comparison[] = [];
            this.AT_LEAST_ONE_SEP1({
              SEP: t.And,
              DEF: () => {
                comparisons.push(this.SUBRULE(this.comparison));
              },
            });
            const start = comparisons[0]?.start ?? Number.NaN;
            const end = comparisons.at(-1)?.end ?? Number.NaN;
            return { kind: "filter-fields", comparisons, start, end };
          },
        },
      ]),
    ),
  );

  /** `name = "api"`, `labels.env ~ "^prod"`, `publish = true`, `geo_ip = [DE]` … */
  readonly comparison = this.#rule("comparison", (): Comparison => {
    // Read by index: while the grammar is recorded, `OR` returns a placeholder object.
    const head = this.OR(
      this.#alts<readonly [IToken | undefined, IToken]>(15, () => [
        {
          ALT: () => {
            const labels = this.CONSUME(t.Labels);
            this.CONSUME(t.Dot);
            return [labels, this.SUBRULE(this.key)] as const;
          },
        },
        { ALT: () => [undefined, this.CONSUME(t.FilterField)] as const },
      ]),
    );
    const labels = head[0];
    const field = head[1];
    const read = this.OR1(
      this.#alts<IToken | TokenList | StringMatch>(16, () => [
        {
          ALT: () => {
            this.CONSUME(t.Eq);
            return this.SUBRULE(this.filterValue);
          },
        },
        { ALT: () => this.SUBRULE(this.stringMatch) },
      ]),
    );
    const match = isStringMatch(read) ? read : undefined;
    const value = isStringMatch(read) ? undefined : read;
    const start = (labels ?? field)?.startOffset ?? Number.NaN;
    return { labels, field, value, match, start, end: endOf(read) };
  });

  /** The right side of `=`: a string (exact), a boolean or a list. */
  readonly filterValue = this.#rule("filterValue", () =>
    this.OR(
      this.#alts<IToken | TokenList>(17, () => [
        { ALT: () => this.CONSUME(t.StringLike) },
        { ALT: () => this.CONSUME(t.BoolValue) },
        { ALT: () => this.SUBRULE(this.list) },
      ]),
    ),
  );

  // ------------------------------------------------------------------ credentials

  readonly credentialBlock = this.#rule("credentialBlock", (): CredentialBlock =>
    this.#block("credential", t.Credential, () => this.SUBRULE(this.credentialStatement)),
  );

  readonly credentialStatement = this.#rule("credentialStatement", (): Setting => {
    const keyword = this.OR(
      this.#alts<IToken>(18, () => [
        { ALT: () => this.CONSUME(t.SubjectCn) },
        { ALT: () => this.CONSUME(t.Fingerprint) },
        { ALT: () => this.CONSUME(t.Grant) },
      ]),
    );
    const value = this.CONSUME(t.StringLike);
    return { kind: "setting", keyword, value, start: keyword.startOffset, end: after(value) };
  });

  // ------------------------------------------------------------------ policy tests

  readonly testBlock = this.#rule("testBlock", (): TestBlock =>
    this.#block("test", t.Test, () =>
      this.OR(
        this.#alts<TestStatement>(19, () => [
          { ALT: () => this.SUBRULE(this.requestStatement) },
          { ALT: () => this.SUBRULE(this.expectStatement) },
        ]),
      ),
    ),
  );

  /** `request GET "https://host/path" from 192.0.2.1 country DE { … }`. */
  readonly requestStatement = this.#rule("requestStatement", (): Request => {
    const keyword = this.CONSUME(t.Request);
    const method = this.OPTION(() => this.CONSUME(t.Word));
    const url = this.CONSUME(t.StringLike);
    const from = this.CONSUME(t.From);
    const clientIp = this.SUBRULE(this.listItem);
    let country: IToken | undefined;
    let countryCode: IToken | undefined;
    this.OPTION1(() => {
      country = this.CONSUME(t.Country);
      countryCode = this.SUBRULE(this.key);
    });
    const details: RequestDetail[] = [];
    let close: IToken | undefined;
    this.OPTION2(() => {
      this.CONSUME(t.LCurly);
      this.MANY(() => {
        details.push(this.SUBRULE(this.requestDetail));
      });
      close = this.CONSUME(t.RCurly);
    });
    return {
      kind: "request",
      keyword,
      method,
      url,
      from,
      clientIp,
      country,
      countryCode,
      details,
      close,
      start: keyword.startOffset,
      end: after(close ?? countryCode ?? clientIp),
    };
  });

  readonly requestDetail = this.#rule("requestDetail", () =>
    this.OR(
      this.#alts<RequestDetail>(20, () => [
        { ALT: () => this.SUBRULE(this.tokenStatement) },
        {
          ALT: (): Header => {
            const keyword = this.CONSUME(t.Header);
            const name = this.CONSUME1(t.StringLike);
            this.CONSUME(t.Eq);
            const value = this.CONSUME2(t.StringLike);
            return {
              kind: "header",
              keyword,
              name,
              value,
              start: keyword.startOffset,
              end: after(value),
            };
          },
        },
        { ALT: () => this.#setting(t.Challenge, t.CookieStateValue, 0) },
        { ALT: () => this.SUBRULE(this.sessionBlock) },
        { ALT: () => this.SUBRULE(this.tlsBlock) },
      ]),
    ),
  );

  /** `token grant "g" in query owner user "u1"` or `token invalid expired`. */
  readonly tokenStatement = this.#rule("tokenStatement", (): TokenDetail => {
    const keyword = this.CONSUME(t.Token);
    // Read by index: while the grammar is recorded, `OR` returns a placeholder object.
    const read = this.OR(
      this.#alts<readonly [IToken, IToken]>(21, () => [
        { ALT: () => [this.CONSUME(t.Grant), this.CONSUME(t.StringLike)] as const },
        { ALT: () => [this.CONSUME(t.Invalid), this.CONSUME(t.InvalidTokenValue)] as const },
      ]),
    );
    const form = read[0] ?? keyword;
    const value = read[1] ?? keyword;
    const place = this.OPTION(() => {
      this.CONSUME(t.In);
      return this.CONSUME(t.TokenPlaceValue);
    });
    const owner = this.OPTION2(() => {
      this.CONSUME(t.Owner);
      const kind = this.OR2([
        { ALT: () => this.CONSUME(t.User) },
        { ALT: () => this.CONSUME(t.Client) },
      ]);
      return { kind, id: this.CONSUME2(t.StringLike) };
    });
    const start = keyword.startOffset;
    const end = after(owner?.id ?? place ?? value);
    return { kind: "token", keyword, form, value, place, owner, start, end };
  });

  /** `session { … }` and `tls { … }`: one-line blocks of a request. */
  #nested(keyword: TokenType, statement: () => Setting): NestedBlock {
    const k = this.CONSUME(keyword);
    this.CONSUME(t.LCurly);
    const statements: Setting[] = [];
    this.MANY(() => {
      statements.push(statement());
    });
    const close = this.CONSUME(t.RCurly);
    return { kind: "nested", keyword: k, statements, start: k.startOffset, end: after(close) };
  }

  readonly sessionBlock = this.#rule("sessionBlock", () =>
    this.#nested(t.Session, () => this.SUBRULE(this.sessionStatement)),
  );

  readonly sessionStatement = this.#rule("sessionStatement", () =>
    this.OR(
      this.#alts<Setting>(22, () => [
        {
          ALT: (): Setting => {
            const keyword = this.OR1([
              { ALT: () => this.CONSUME(t.User) },
              { ALT: () => this.CONSUME(t.Email) },
              { ALT: () => this.CONSUME(t.Name) },
            ]);
            const value = this.CONSUME(t.StringLike);
            return {
              kind: "setting",
              keyword,
              value,
              start: keyword.startOffset,
              end: after(value),
            };
          },
        },
        { ALT: () => this.#listSetting(t.Groups, 0) },
      ]),
    ),
  );

  readonly tlsBlock = this.#rule("tlsBlock", () =>
    this.#nested(t.Tls, () => this.SUBRULE(this.tlsStatement)),
  );

  readonly tlsStatement = this.#rule("tlsStatement", () =>
    this.OR(
      this.#alts<Setting>(23, () => [
        { ALT: () => this.#setting(t.Version, t.TlsVersionValue, 0) },
        { ALT: () => this.#setting(t.Group, t.StringLike, 1) },
        { ALT: () => this.#setting(t.Ech, t.BoolValue, 0) },
        { ALT: () => this.#setting(t.ClientCert, t.StringLike, 2) },
      ]),
    ),
  );

  /** `expect deny 403 policy_denied ip`: outcome, then optional status, reason and policy. */
  readonly expectStatement = this.#rule("expectStatement", (): Expect => {
    const keyword = this.CONSUME(t.Expect);
    const outcome = this.CONSUME(t.OutcomeValue);
    const status = this.OPTION(() => this.CONSUME(t.NumberLiteral));
    const reason = this.OPTION1(() => this.CONSUME(t.ReasonValue));
    const policy = this.OPTION2(() => this.CONSUME(t.PolicyKindValue));
    const last = policy ?? reason ?? status ?? outcome;
    return {
      kind: "expect",
      keyword,
      outcome,
      status,
      reason,
      policy,
      start: keyword.startOffset,
      end: after(last),
    };
  });

  // ------------------------------------------------------------------ lists

  /** `[a, b, c]`, trailing comma allowed. */
  readonly list = this.#rule("list", (): TokenList => {
    const open = this.CONSUME(t.LSquare);
    const items: IToken[] = [];
    this.MANY(() => {
      items.push(this.SUBRULE(this.listItem));
      this.OPTION(() => this.CONSUME(t.Comma));
    });
    const close = this.CONSUME(t.RSquare);
    return { kind: "list", items, start: open.startOffset, end: after(close) };
  });

  /** A list element: a string, an address or CIDR, a word, or a permission. */
  readonly listItem = this.#rule("listItem", () =>
    this.OR(
      this.#alts<IToken>(24, () => [
        { ALT: () => this.CONSUME(t.StringLike) },
        { ALT: () => this.CONSUME(t.IPv4) },
        { ALT: () => this.CONSUME(t.IPv6) },
        { ALT: () => this.CONSUME(t.Word) },
        { ALT: () => this.CONSUME(t.PermissionValue) },
      ]),
    ),
  );
}

/** The end of a node or token. */
function endOf(node: IToken | Extent): number {
  return "image" in node ? after(node) : node.end;
}

function matchNode(operator: IToken, value: IToken | TokenList): StringMatch {
  return { kind: "string-match", operator, value, start: operator.startOffset, end: endOf(value) };
}

function isStringMatch(node: IToken | TokenList | StringMatch): node is StringMatch {
  return "kind" in node && node.kind === "string-match";
}

/** What the alternatives after an action keyword read. */
interface ActionParts {
  readonly flag?: IToken;
  readonly where?: IToken;
  readonly filter?: Filter;
  readonly body?: ActionBody | undefined;
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
