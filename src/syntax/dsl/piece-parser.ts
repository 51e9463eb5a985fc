/**
 * The parser of the fast path: the grammar of `grammar/parser.ts`, rule for rule, as plain
 * recursive descent over the tokens of one piece (`piece-lexer.ts`), giving the very syntax
 * tree the Chevrotain parser gives (the same nodes, built by the same expressions).
 *
 * Every choice is made on the next token alone, as the grammar allows: the alternatives of
 * each rule start with different tokens. Anything the grammar does not accept gives up
 * (`undefined`): the caller then parses the whole file with Chevrotain, which reports the
 * error as it always has. A valid file never meets Chevrotain's recording phase, lookahead
 * functions or per-rule bookkeeping, which were a fifth of parsing a large policy.
 */

import type { IToken, TokenType } from "chevrotain";
import type {
  Action,
  ActionBody,
  ActionBodyStatement,
  Auth,
  Block,
  Comparison,
  Declaration,
  Expect,
  Extent,
  Filter,
  GrantNode,
  GrantStatement,
  Labels,
  LabelEntry,
  NestedBlock,
  PathStatement,
  PostQuantum,
  ProjectStatement,
  Request,
  RequestDetail,
  ScopeStatement,
  Setting,
  StringMatch,
  TestStatement,
  TokenDetail,
  TokenList,
  TunnelStatement,
} from "../../../grammar/syntax-tree.ts";
import * as t from "../../../grammar/tokens.ts";

/** Thrown to leave the descent when the tokens are not what the grammar accepts. */
const GIVE_UP = Symbol("give up");

/**
 * The top-level declarations of a piece, in order, or `undefined` when the piece is not
 * exactly a sequence of declarations (see the file comment).
 */
export function parsePiece(tokens: readonly IToken[]): Declaration[] | undefined {
  const parser = new PieceParser(tokens);
  try {
    return parser.policy();
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}

/** Whether a token is of type `type`, or of a type in category `type` (as Chevrotain matches). */
function matches(token: IToken, type: TokenType): boolean {
  if (token.tokenType === type) return true;
  // Only a category has members (most calls ask for one plain type, such as `}`).
  return type.isParent === true && type.categoryMatchesMap?.[token.tokenTypeIdx] === true;
}

/** The end of a node that ends with `token` (one past its last character). */
const after = (token: IToken): number => (token.endOffset ?? token.startOffset) + 1;

/** The end of a node or token. */
function endOf(node: IToken | Extent): number {
  return "image" in node ? after(node) : node.end;
}

function matchNode(operator: IToken, value: IToken | TokenList): StringMatch {
  return { kind: "string-match", operator, value, start: operator.startOffset, end: endOf(value) };
}

class PieceParser {
  readonly #tokens: readonly IToken[];
  #i = 0;

  constructor(tokens: readonly IToken[]) {
    this.#tokens = tokens;
  }

  /** Whether the next token is of (or in category) `type`. */
  #at(type: TokenType): boolean {
    const token = this.#tokens[this.#i];
    return token !== undefined && matches(token, type);
  }

  /** The next token's type (undefined at the end). */
  #next(): TokenType | undefined {
    return this.#tokens[this.#i]?.tokenType;
  }

  /** The next token, which must be of (or in category) `type`. */
  #take(type: TokenType): IToken {
    const token = this.#tokens[this.#i];
    if (token === undefined || !matches(token, type)) throw GIVE_UP;
    this.#i++;
    return token;
  }

  /** The next token if it is of (or in category) `type`. */
  #option(type: TokenType): IToken | undefined {
    return this.#at(type) ? this.#take(type) : undefined;
  }

  /** Statements up to the closing `}`, each read by `statement`. */
  #until<S>(statement: () => S): S[] {
    const statements: S[] = [];
    while (!this.#at(t.RCurly)) statements.push(statement());
    return statements;
  }

  policy(): Declaration[] {
    const declarations: Declaration[] = [];
    while (this.#i < this.#tokens.length) declarations.push(this.#declaration());
    return declarations;
  }

  #declaration(): Declaration {
    switch (this.#next()) {
      case t.Schema: {
        const keyword = this.#take(t.Schema);
        const value = this.#take(t.StringLike);
        return { kind: "schema", keyword, value, start: keyword.startOffset, end: after(value) };
      }
      case t.Project:
        return this.#block("project", t.Project, () => this.#projectStatement());
      case t.Tunnel:
        return this.#block("tunnel", t.Tunnel, () => this.#tunnelStatement());
      case t.Grant:
        return this.#block("grant", t.Grant, () => this.#grantStatement());
      case t.Credential:
        return this.#block("credential", t.Credential, () => this.#credentialStatement());
      case t.Test:
        return this.#block("test", t.Test, () => this.#testStatement());
      default:
        throw GIVE_UP;
    }
  }

  #block<Kind extends string, S>(
    kind: Kind,
    keyword: TokenType,
    statement: () => S,
  ): Block<Kind, S> {
    const k = this.#take(keyword);
    const name = this.#take(t.StringLike);
    this.#take(t.LCurly);
    const statements = this.#until(statement);
    const close = this.#take(t.RCurly);
    return { kind, keyword: k, name, statements, close, start: k.startOffset, end: after(close) };
  }

  #setting(keyword: TokenType, value: TokenType): Setting {
    const k = this.#take(keyword);
    const v = this.#take(value);
    return { kind: "setting", keyword: k, value: v, start: k.startOffset, end: after(v) };
  }

  #listSetting(keyword: TokenType): Setting {
    const k = this.#take(keyword);
    const list = this.#list();
    return { kind: "setting", keyword: k, value: list, start: k.startOffset, end: list.end };
  }

  #bare(keyword: TokenType): Setting {
    const k = this.#take(keyword);
    return { kind: "setting", keyword: k, value: undefined, start: k.startOffset, end: after(k) };
  }

  /** `keyword { statements }` whose statements are settings (`members`, `allow_users` …). */
  #settingsBlock(keyword: TokenType, statement: () => Setting): [IToken, Setting[], IToken] {
    const k = this.#take(keyword);
    this.#take(t.LCurly);
    const statements = this.#until(statement);
    return [k, statements, this.#take(t.RCurly)];
  }

  // ------------------------------------------------------------------ project

  #projectStatement(): ProjectStatement {
    switch (this.#next()) {
      case t.Name:
        return this.#setting(t.Name, t.StringLike);
      case t.Workspace:
        return this.#setting(t.Workspace, t.StringLike);
      case t.Plan:
        return this.#setting(t.Plan, t.PlanValue);
      case t.PublicAccess:
        return this.#setting(t.PublicAccess, t.AccessValue);
      case t.Members: {
        const [keyword, statements, close] = this.#settingsBlock(t.Members, () =>
          this.#keywordList([t.Users, t.Clients]),
        );
        return {
          kind: "members",
          keyword,
          statements,
          start: keyword.startOffset,
          end: after(close),
        };
      }
      default:
        return this.#edgeStatement();
    }
  }

  /** One of `keywords`, then a list. */
  #keywordList(keywords: readonly TokenType[]): Setting {
    const type = this.#next();
    if (type === undefined || !keywords.includes(type)) throw GIVE_UP;
    return this.#listSetting(type);
  }

  #edgeStatement(): Setting | PostQuantum {
    switch (this.#next()) {
      case t.TrustedIps:
        return this.#listSetting(t.TrustedIps);
      case t.GeoIp:
        return this.#listSetting(t.GeoIp);
      case t.TlsMin:
        return this.#setting(t.TlsMin, t.TlsVersionValue);
      case t.PostQuantum: {
        const keyword = this.#take(t.PostQuantum);
        const mode = this.#take(t.FeatureModeValue);
        const fips = this.#option(t.Fips);
        const fipsValue = fips === undefined ? undefined : this.#option(t.BoolValue);
        const last = fipsValue ?? fips ?? mode;
        const start = keyword.startOffset;
        return { kind: "post-quantum", keyword, mode, fips, fipsValue, start, end: after(last) };
      }
      case t.Ech:
        return this.#setting(t.Ech, t.FeatureModeValue);
      default:
        throw GIVE_UP;
    }
  }

  // ------------------------------------------------------------------ tunnels

  #tunnelStatement(): TunnelStatement {
    switch (this.#next()) {
      case t.Name:
        return this.#setting(t.Name, t.StringLike);
      case t.Labels:
        return this.#labels();
      case t.Protocol:
        return this.#setting(t.Protocol, t.ProtocolValue);
      case t.Hosts:
        return this.#listSetting(t.Hosts);
      case t.Public:
        return this.#bare(t.Public);
      case t.Private:
        return this.#bare(t.Private);
      case t.Upstream:
        return this.#setting(t.Upstream, t.StringLike);
      case t.Auth:
        return this.#auth();
      case t.TokenAuth:
        return this.#setting(t.TokenAuth, t.BoolValue);
      case t.RstreamAuth:
        return this.#setting(t.RstreamAuth, t.BoolValue);
      case t.Mtls: {
        const keyword = this.#take(t.Mtls);
        this.#take(t.Ca);
        const ca = this.#take(t.StringLike);
        return { kind: "mtls", keyword, ca, start: keyword.startOffset, end: after(ca) };
      }
      case t.Challenge:
        return this.#setting(t.Challenge, t.BoolValue);
      case t.ForwardAuthorization:
        return this.#setting(t.ForwardAuthorization, t.BoolValue);
      case t.AllowUsers: {
        const [keyword, statements, close] = this.#settingsBlock(t.AllowUsers, () =>
          this.#keywordList([t.Emails, t.Domains, t.Groups]),
        );
        const start = keyword.startOffset;
        return { kind: "allow-users", keyword, statements, start, end: after(close) };
      }
      default:
        return this.#edgeStatement();
    }
  }

  #labels(): Labels {
    const keyword = this.#take(t.Labels);
    this.#take(t.LCurly);
    const entries: LabelEntry[] = [];
    while (!this.#at(t.RCurly)) {
      const key = this.#key();
      this.#take(t.Eq);
      entries.push({ key, value: this.#take(t.StringLike) });
      this.#option(t.Comma);
    }
    const close = this.#take(t.RCurly);
    return { kind: "labels", keyword, entries, start: keyword.startOffset, end: after(close) };
  }

  /** A map key: a bare word or a string. */
  #key(): IToken {
    return this.#at(t.Word) ? this.#take(t.Word) : this.#take(t.StringLike);
  }

  #auth(): Auth {
    const keyword = this.#take(t.Auth);
    const none = this.#option(t.None);
    const modes: IToken[] = [];
    if (none === undefined) {
      do {
        modes.push(this.#at(t.Token) ? this.#take(t.Token) : this.#take(t.RstreamAuthMode));
      } while (this.#option(t.Comma) !== undefined);
    }
    const last = none ?? modes.at(-1) ?? keyword;
    return { kind: "auth", keyword, none, modes, start: keyword.startOffset, end: after(last) };
  }

  // ------------------------------------------------------------------ grants

  #grantStatement(): GrantStatement {
    switch (this.#next()) {
      case t.Type:
        return this.#setting(t.Type, t.TokenTypeValue);
      case t.Parent:
        return this.#setting(t.Parent, t.StringLike);
      case t.Expires:
        return this.#setting(t.Expires, t.StringLike);
      case t.Permissions: {
        const keyword = this.#take(t.Permissions);
        const value = this.#at(t.All) ? this.#take(t.All) : this.#list();
        const end = "kind" in value ? value.end : after(value);
        return { kind: "setting", keyword, value, start: keyword.startOffset, end };
      }
      case t.Resources: {
        const keyword = this.#take(t.Resources);
        const tree = this.#grantNode();
        return { kind: "resources", keyword, tree, start: keyword.startOffset, end: tree.end };
      }
      default:
        throw GIVE_UP;
    }
  }

  #grantNode(): GrantNode {
    if (this.#at(t.Combinator)) {
      const combinator = this.#take(t.Combinator);
      this.#take(t.LCurly);
      const children = this.#until(() => this.#grantNode());
      const close = this.#take(t.RCurly);
      const start = combinator.startOffset;
      return { kind: "grant-combinator", combinator, children, close, start, end: after(close) };
    }
    const scope = this.#take(t.Scope);
    this.#take(t.LCurly);
    const statements = this.#until(() => this.#scopeStatement());
    const close = this.#take(t.RCurly);
    const start = scope.startOffset;
    return { kind: "grant-scope", statements, close, start, end: after(close) };
  }

  #scopeStatement(): ScopeStatement {
    switch (this.#next()) {
      case t.Workspaces:
        return this.#listSetting(t.Workspaces);
      case t.Projects:
        return this.#listSetting(t.Projects);
      default:
        return this.#action();
    }
  }

  #action(): Action {
    const keyword = this.#take(t.ActionKind);
    let flag: IToken | undefined;
    let where: IToken | undefined;
    let filter: Filter | undefined;
    let body: ActionBody | undefined;
    if (this.#at(t.BoolValue)) {
      flag = this.#take(t.BoolValue);
    } else if (this.#at(t.Where)) {
      where = this.#take(t.Where);
      filter = this.#filter();
      if (this.#at(t.LCurly)) body = this.#actionBody();
    } else if (this.#at(t.LCurly)) {
      body = this.#actionBody();
    }
    const end = body?.end ?? filter?.end ?? after(flag ?? keyword);
    const start = keyword.startOffset;
    return { kind: "action", keyword, flag, where, filter, body, start, end };
  }

  #actionBody(): ActionBody {
    const open = this.#take(t.LCurly);
    const statements = this.#until(() => this.#actionBodyStatement());
    const close = this.#take(t.RCurly);
    return { statements, close, start: open.startOffset, end: after(close) };
  }

  #actionBodyStatement(): ActionBodyStatement {
    switch (this.#next()) {
      case t.Path:
        return this.#path();
      case t.Methods:
        return this.#listSetting(t.Methods);
      case t.Select:
        return this.#listSetting(t.Select);
      case t.Params: {
        const keyword = this.#take(t.Params);
        this.#take(t.LCurly);
        const close = this.#take(t.RCurly);
        return { kind: "params", keyword, start: keyword.startOffset, end: after(close) };
      }
      default:
        throw GIVE_UP;
    }
  }

  #path(): PathStatement {
    const keyword = this.#take(t.Path);
    let operator: IToken | undefined;
    let value: IToken | TokenList | undefined;
    let match: StringMatch | undefined;
    switch (this.#next()) {
      case t.Eq:
        operator = this.#take(t.Eq);
        value = this.#take(t.StringLike);
        break;
      case t.Prefix:
      case t.Glob:
        operator = this.#take(this.#at(t.Prefix) ? t.Prefix : t.Glob);
        value = this.#list();
        break;
      default:
        match = this.#stringMatch();
    }
    const end = endOf(match ?? value ?? keyword);
    return { kind: "path", keyword, operator, value, match, start: keyword.startOffset, end };
  }

  #stringMatch(): StringMatch {
    switch (this.#next()) {
      case t.EqEq:
        return matchNode(this.#take(t.EqEq), this.#take(t.StringLike));
      case t.In:
        return matchNode(this.#take(t.In), this.#list());
      case t.Tilde:
        return matchNode(this.#take(t.Tilde), this.#take(t.StringLike));
      default:
        throw GIVE_UP;
    }
  }

  #filter(): Filter {
    if (this.#at(t.Combinator)) {
      const combinator = this.#take(t.Combinator);
      this.#take(t.LParen);
      const items: Filter[] = [];
      do items.push(this.#filter());
      while (this.#option(t.Comma) !== undefined);
      const close = this.#take(t.RParen);
      const start = combinator.startOffset;
      return { kind: "filter-combinator", combinator, items, start, end: after(close) };
    }
    if (this.#at(t.True)) {
      const token = this.#take(t.True);
      const start = token.startOffset;
      return { kind: "filter-fields", comparisons: [], start, end: after(token) };
    }
    const comparisons: Comparison[] = [];
    do comparisons.push(this.#comparison());
    while (this.#option(t.And) !== undefined);
    const start = comparisons[0]?.start ?? Number.NaN;
    const end = comparisons.at(-1)?.end ?? Number.NaN;
    return { kind: "filter-fields", comparisons, start, end };
  }

  #comparison(): Comparison {
    let labels: IToken | undefined;
    let field: IToken;
    if (this.#at(t.Labels)) {
      labels = this.#take(t.Labels);
      this.#take(t.Dot);
      field = this.#key();
    } else {
      field = this.#take(t.FilterField);
    }
    const match = this.#option(t.Eq) === undefined ? this.#stringMatch() : undefined;
    const value = match === undefined ? this.#filterValue() : undefined;
    const start = (labels ?? field).startOffset;
    return { labels, field, value, match, start, end: endOf(match ?? value ?? field) };
  }

  #filterValue(): IToken | TokenList {
    if (this.#at(t.StringLike)) return this.#take(t.StringLike);
    if (this.#at(t.BoolValue)) return this.#take(t.BoolValue);
    return this.#list();
  }

  // ------------------------------------------------------------------ credentials

  #credentialStatement(): Setting {
    const type = this.#next();
    if (type !== t.SubjectCn && type !== t.Fingerprint && type !== t.Grant) throw GIVE_UP;
    return this.#setting(type, t.StringLike);
  }

  // ------------------------------------------------------------------ policy tests

  #testStatement(): TestStatement {
    switch (this.#next()) {
      case t.Request:
        return this.#request();
      case t.Expect:
        return this.#expect();
      default:
        throw GIVE_UP;
    }
  }

  #request(): Request {
    const keyword = this.#take(t.Request);
    const method = this.#option(t.Word);
    const url = this.#take(t.StringLike);
    const from = this.#take(t.From);
    const clientIp = this.#listItem();
    const country = this.#option(t.Country);
    const countryCode = country === undefined ? undefined : this.#key();
    let details: RequestDetail[] = [];
    let close: IToken | undefined;
    if (this.#option(t.LCurly) !== undefined) {
      details = this.#until(() => this.#requestDetail());
      close = this.#take(t.RCurly);
    }
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
  }

  #requestDetail(): RequestDetail {
    switch (this.#next()) {
      case t.Token:
        return this.#tokenDetail();
      case t.Header: {
        const keyword = this.#take(t.Header);
        const name = this.#take(t.StringLike);
        this.#take(t.Eq);
        const value = this.#take(t.StringLike);
        const start = keyword.startOffset;
        return { kind: "header", keyword, name, value, start, end: after(value) };
      }
      case t.Challenge:
        return this.#setting(t.Challenge, t.CookieStateValue);
      case t.Session:
        return this.#nested(t.Session, () => this.#sessionStatement());
      case t.Tls:
        return this.#nested(t.Tls, () => this.#tlsStatement());
      default:
        throw GIVE_UP;
    }
  }

  #tokenDetail(): TokenDetail {
    const keyword = this.#take(t.Token);
    const form = this.#at(t.Grant) ? this.#take(t.Grant) : this.#take(t.Invalid);
    const value = this.#take(form.tokenType === t.Grant ? t.StringLike : t.InvalidTokenValue);
    const place = this.#option(t.In) === undefined ? undefined : this.#take(t.TokenPlaceValue);
    let owner: { readonly kind: IToken; readonly id: IToken } | undefined;
    if (this.#option(t.Owner) !== undefined) {
      const kind = this.#at(t.User) ? this.#take(t.User) : this.#take(t.Client);
      owner = { kind, id: this.#take(t.StringLike) };
    }
    const start = keyword.startOffset;
    const end = after(owner?.id ?? place ?? value);
    return { kind: "token", keyword, form, value, place, owner, start, end };
  }

  #nested(keyword: TokenType, statement: () => Setting): NestedBlock {
    const [k, statements, close] = this.#settingsBlock(keyword, statement);
    return { kind: "nested", keyword: k, statements, start: k.startOffset, end: after(close) };
  }

  #sessionStatement(): Setting {
    const type = this.#next();
    if (type === t.User || type === t.Email || type === t.Name) {
      return this.#setting(type, t.StringLike);
    }
    return this.#listSetting(t.Groups);
  }

  #tlsStatement(): Setting {
    switch (this.#next()) {
      case t.Version:
        return this.#setting(t.Version, t.TlsVersionValue);
      case t.Group:
        return this.#setting(t.Group, t.StringLike);
      case t.Ech:
        return this.#setting(t.Ech, t.BoolValue);
      default:
        return this.#setting(t.ClientCert, t.StringLike);
    }
  }

  #expect(): Expect {
    const keyword = this.#take(t.Expect);
    const outcome = this.#take(t.OutcomeValue);
    const status = this.#option(t.NumberLiteral);
    const reason = this.#option(t.ReasonValue);
    const policy = this.#option(t.PolicyKindValue);
    const last = policy ?? reason ?? status ?? outcome;
    const start = keyword.startOffset;
    return { kind: "expect", keyword, outcome, status, reason, policy, start, end: after(last) };
  }

  // ------------------------------------------------------------------ lists

  #list(): TokenList {
    const open = this.#take(t.LSquare);
    const items: IToken[] = [];
    while (!this.#at(t.RSquare)) {
      items.push(this.#listItem());
      this.#option(t.Comma);
    }
    const close = this.#take(t.RSquare);
    return { kind: "list", items, start: open.startOffset, end: after(close) };
  }

  /** A list element: a string, an address or CIDR, a word, or a permission. */
  #listItem(): IToken {
    const token = this.#tokens[this.#i];
    if (token === undefined) throw GIVE_UP;
    const type = token.tokenType;
    const item =
      matches(token, t.StringLike) ||
      type === t.IPv4 ||
      type === t.IPv6 ||
      matches(token, t.Word) ||
      matches(token, t.PermissionValue);
    if (!item) throw GIVE_UP;
    this.#i++;
    return token;
  }
}
