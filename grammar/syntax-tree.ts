/**
 * What the parser returns: a syntax tree typed by the grammar, one small node per statement,
 * holding the tokens the statement was written with. The DSL front end turns it into the
 * document (`src/syntax/dsl/tree-to-document.ts`); keys, values and their meaning live there.
 *
 * A generic CST (a node with a dictionary of child arrays per rule) cost five allocations per
 * statement and was most of the time of parsing a large file; these nodes are one each.
 *
 * Offsets: `start` is the first character of the node, `end` one past its last (the span).
 */
import type { IToken } from "chevrotain";

/** A span of the source: the offsets of a node's first character and one past its last. */
export interface Extent {
  readonly start: number;
  readonly end: number;
}

/** `keyword value`: a statement that sets one property (`name "x"`, `tls_min 1.3`, `public`). */
export interface Setting extends Extent {
  readonly kind: "setting";
  readonly keyword: IToken;
  /** The value: one token, a list, or none for a bare keyword (`public`, `private`). */
  readonly value: IToken | TokenList | undefined;
}

/** `[a, b, c]`: its item tokens (strings, addresses, words, permissions). */
export interface TokenList extends Extent {
  readonly kind: "list";
  readonly items: IToken[];
}

/** `post_quantum MODE [fips [BOOL]]`. */
export interface PostQuantum extends Extent {
  readonly kind: "post-quantum";
  readonly keyword: IToken;
  readonly mode: IToken;
  readonly fips: IToken | undefined;
  readonly fipsValue: IToken | undefined;
}

/** `labels { key = "value", … }`. */
export interface Labels extends Extent {
  readonly kind: "labels";
  readonly keyword: IToken;
  readonly entries: LabelEntry[];
}

export interface LabelEntry {
  /** A word or a string. */
  readonly key: IToken;
  readonly value: IToken;
}

/** `auth none` or `auth token, rstream-auth`. */
export interface Auth extends Extent {
  readonly kind: "auth";
  readonly keyword: IToken;
  readonly none: IToken | undefined;
  /** The `token` and `rstream-auth` tokens, as written. */
  readonly modes: IToken[];
}

/** `mtls ca "name"`. */
export interface Mtls extends Extent {
  readonly kind: "mtls";
  readonly keyword: IToken;
  readonly ca: IToken;
}

/** `allow_users { emails […] domains […] groups […] }`. */
export interface AllowUsers extends Extent {
  readonly kind: "allow-users";
  readonly keyword: IToken;
  readonly statements: Setting[];
}

/** `members { users […] clients […] }` (S-T8). */
export interface Members extends Extent {
  readonly kind: "members";
  readonly keyword: IToken;
  readonly statements: Setting[];
}

/** A statement of the project block. */
export type ProjectStatement = Setting | PostQuantum | Members;
/** A statement of a tunnel block. */
export type TunnelStatement = Setting | PostQuantum | Labels | Auth | Mtls | AllowUsers;

/** `resources <grant node>`. */
export interface Resources extends Extent {
  readonly kind: "resources";
  readonly keyword: IToken;
  readonly tree: GrantNode;
}

export type GrantStatement = Setting | Resources;

/** `any { … }` / `all { … }` (the `Combinator` token says which) or `scope { … }`. */
export type GrantNode = GrantCombinator | GrantScope;

export interface GrantCombinator extends Extent {
  readonly kind: "grant-combinator";
  readonly combinator: IToken;
  readonly children: GrantNode[];
  readonly close: IToken;
}

export interface GrantScope extends Extent {
  readonly kind: "grant-scope";
  readonly statements: ScopeStatement[];
  readonly close: IToken;
}

export type ScopeStatement = Setting | Action;

/** `connect`, `connect off`, `connect where F { … }`, `connect { … }`. */
export interface Action extends Extent {
  readonly kind: "action";
  /** The `ActionKind` token (`connect`, `create`, `list`). */
  readonly keyword: IToken;
  readonly flag: IToken | undefined;
  readonly where: IToken | undefined;
  readonly filter: Filter | undefined;
  readonly body: ActionBody | undefined;
}

export interface ActionBody extends Extent {
  readonly statements: ActionBodyStatement[];
  readonly close: IToken;
}

/** `path …`, `methods […]`, `select […]` or `params {}`. */
export type ActionBodyStatement = PathStatement | Setting | Params;

export interface Params extends Extent {
  readonly kind: "params";
  readonly keyword: IToken;
}

/** `path = "/x"` (`exact` undefined: `=`), `path <string match>`, `path prefix|glob […]`. */
export interface PathStatement extends Extent {
  readonly kind: "path";
  readonly keyword: IToken;
  /** `=`, `prefix` or `glob`; undefined when `match` holds the operator. */
  readonly operator: IToken | undefined;
  readonly value: IToken | TokenList | undefined;
  readonly match: StringMatch | undefined;
}

/** `== "x"`, `in […]` or `~ "re"`. */
export interface StringMatch extends Extent {
  readonly kind: "string-match";
  readonly operator: IToken;
  readonly value: IToken | TokenList;
}

/** `all(F, …)` / `any(F, …)`, `true`, or comparisons joined by `and`. */
export type Filter = FilterCombinator | FilterFields;

export interface FilterCombinator extends Extent {
  readonly kind: "filter-combinator";
  readonly combinator: IToken;
  readonly items: Filter[];
}

/** Comparisons joined by `and`; none for `true`. */
export interface FilterFields extends Extent {
  readonly kind: "filter-fields";
  readonly comparisons: Comparison[];
}

/** `field = value`, `labels.key = value`, `field <string match>`. */
export interface Comparison extends Extent {
  /** The `labels` token for `labels.key`. */
  readonly labels: IToken | undefined;
  /** The filter field, or the label's key (a word or a string). */
  readonly field: IToken;
  /** After `=`: a string, a boolean or a list. */
  readonly value: IToken | TokenList | undefined;
  readonly match: StringMatch | undefined;
}

/** `request [METHOD] "url" from ADDRESS [country CC] [{ … }]`. */
export interface Request extends Extent {
  readonly kind: "request";
  readonly keyword: IToken;
  readonly method: IToken | undefined;
  readonly url: IToken;
  readonly from: IToken;
  readonly clientIp: IToken;
  readonly country: IToken | undefined;
  readonly countryCode: IToken | undefined;
  readonly details: RequestDetail[];
  /** The `}` of the details block, when there is one. */
  readonly close: IToken | undefined;
}

export type RequestDetail = TokenDetail | Header | Setting | NestedBlock;

/** `token grant "g" [in PLACE] [owner (user|client) "id"]` or `token invalid KIND [in PLACE]`. */
export interface TokenDetail extends Extent {
  readonly kind: "token";
  readonly keyword: IToken;
  /** The `grant` or `invalid` token. */
  readonly form: IToken;
  readonly value: IToken;
  readonly place: IToken | undefined;
  /** `owner user "u1"`: the `user` or `client` word and the id (S-T8). */
  readonly owner: { readonly kind: IToken; readonly id: IToken } | undefined;
}

/** `header "name" = "value"`. */
export interface Header extends Extent {
  readonly kind: "header";
  readonly keyword: IToken;
  readonly name: IToken;
  readonly value: IToken;
}

/** `session { … }` or `tls { … }`. */
export interface NestedBlock extends Extent {
  readonly kind: "nested";
  readonly keyword: IToken;
  readonly statements: Setting[];
}

/** `expect OUTCOME [STATUS] [REASON] [POLICY]`. */
export interface Expect extends Extent {
  readonly kind: "expect";
  readonly keyword: IToken;
  readonly outcome: IToken;
  readonly status: IToken | undefined;
  readonly reason: IToken | undefined;
  readonly policy: IToken | undefined;
}

export type TestStatement = Request | Expect;

/** `project|tunnel|grant|credential|test "name" { … }`. */
export interface Block<Kind extends string, Statement> extends Extent {
  readonly kind: Kind;
  readonly keyword: IToken;
  readonly name: IToken;
  readonly statements: Statement[];
  readonly close: IToken;
}

/** `schema "…"`. */
export interface SchemaDeclaration extends Extent {
  readonly kind: "schema";
  readonly keyword: IToken;
  readonly value: IToken;
}

export type ProjectBlock = Block<"project", ProjectStatement>;
export type TunnelBlock = Block<"tunnel", TunnelStatement>;
export type GrantBlock = Block<"grant", GrantStatement>;
export type CredentialBlock = Block<"credential", Setting>;
export type TestBlock = Block<"test", TestStatement>;

/** A top-level declaration. */
export type Declaration =
  SchemaDeclaration | ProjectBlock | TunnelBlock | GrantBlock | CredentialBlock | TestBlock;
