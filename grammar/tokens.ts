/**
 * The tokens of the Rampart policy language.
 *
 * Keywords are case-sensitive and use `longer_alt` so that `planet` is an identifier, not
 * `plan` + `et`. A keyword is listed once even when it plays several roles (`tls` is a protocol,
 * a statement and a policy kind); the roles are token categories, so a rule consumes "any
 * protocol" or "any word" without knowing every keyword. Closed enums of the document model are
 * categories too, which makes a misspelled value a syntax error with a suggestion.
 *
 * The types are made by `grammar/token-types.ts`, as Chevrotain's `createToken` would make them,
 * so that importing this file does not load Chevrotain: the lexer built below does, when used.
 */
import type { IToken, Lexer as PolicyLexer, TokenType } from "chevrotain";
import { chevrotain } from "./chevrotain.ts";
import { defineToken, NOT_APPLICABLE, SKIPPED } from "./token-types.ts";

// ---------------------------------------------------------------- trivia and errors

/** Spaces, tabs and line breaks between tokens. */
export const WhiteSpace = defineToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v]+/,
  group: SKIPPED,
  line_breaks: true,
});

/** `# …` to the end of the line. Kept in the `comments` group so the formatter can reprint it. */
export const Comment = defineToken({
  name: "Comment",
  pattern: /#[^\r\n]*/,
  group: "comments",
});

// ---------------------------------------------------------------- categories

/** Any bare word: an identifier or a keyword (label keys, country codes, methods, list items). */
export const Word = defineToken({ name: "Word", pattern: NOT_APPLICABLE });
/** Every double-quoted string token, well-formed or not (the bad ones are reported, not re-parsed). */
export const StringLike = defineToken({ name: "StringLike", pattern: NOT_APPLICABLE });
export const PlanValue = defineToken({ name: "PlanValue", pattern: NOT_APPLICABLE });
export const AccessValue = defineToken({ name: "AccessValue", pattern: NOT_APPLICABLE });
export const FeatureModeValue = defineToken({ name: "FeatureModeValue", pattern: NOT_APPLICABLE });
export const ProtocolValue = defineToken({ name: "ProtocolValue", pattern: NOT_APPLICABLE });
export const TokenTypeValue = defineToken({ name: "TokenTypeValue", pattern: NOT_APPLICABLE });
export const BoolValue = defineToken({ name: "BoolValue", pattern: NOT_APPLICABLE });
export const TlsVersionValue = defineToken({ name: "TlsVersionValue", pattern: NOT_APPLICABLE });
export const InvalidTokenValue = defineToken({
  name: "InvalidTokenValue",
  pattern: NOT_APPLICABLE,
});
export const TokenPlaceValue = defineToken({ name: "TokenPlaceValue", pattern: NOT_APPLICABLE });
export const CookieStateValue = defineToken({ name: "CookieStateValue", pattern: NOT_APPLICABLE });
export const OutcomeValue = defineToken({ name: "OutcomeValue", pattern: NOT_APPLICABLE });
export const ReasonValue = defineToken({ name: "ReasonValue", pattern: NOT_APPLICABLE });
export const PolicyKindValue = defineToken({ name: "PolicyKindValue", pattern: NOT_APPLICABLE });
export const PermissionValue = defineToken({ name: "PermissionValue", pattern: NOT_APPLICABLE });
/** Filter fields other than `labels` (which takes a key: `labels.env`). */
export const FilterField = defineToken({ name: "FilterField", pattern: NOT_APPLICABLE });
export const ActionKind = defineToken({ name: "ActionKind", pattern: NOT_APPLICABLE });
/** `any` / `all`: the OR / AND combinators of grant trees and filters. */
export const Combinator = defineToken({ name: "Combinator", pattern: NOT_APPLICABLE });

// ---------------------------------------------------------------- literals

/** A JSON string literal: the value is `JSON.parse` of the image. */
export const StringLiteral = defineToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/,
  categories: [StringLike],
});

/** A closed string with an escape JSON does not know (`"\q"`), reported as an error. */
export const BadEscapeString = defineToken({
  name: "BadEscapeString",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/,
  categories: [StringLike],
});

/** A string that reaches the end of the line unclosed, reported as an error. */
export const UnterminatedString = defineToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/,
  categories: [StringLike],
});

/**
 * An IPv6 address or CIDR. Every IPv6 form contains at least two colons and no other token
 * contains a colon, so this never competes with identifiers (`fe80` alone is a word). The form
 * is checked loosely here; lowering validates it with ipaddr.js.
 */
export const IPv6 = defineToken({
  name: "IPv6",
  pattern: /[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}(?:\/\d{1,3})?/,
  start_chars_hint: [..."0123456789abcdefABCDEF:"],
});

/** An IPv4 address or CIDR: four dotted groups (so `1.3` stays a number). */
export const IPv4 = defineToken({
  name: "IPv4",
  pattern: /\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,3})?/,
});

/** An unsigned decimal number (status codes). */
export const NumberLiteral = defineToken({ name: "NumberLiteral", pattern: /\d+(?:\.\d+)?/ });

/** A bare word: letters, digits, `_` and `-`, starting with a letter or `_`. */
export const Identifier = defineToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_-]*/,
  categories: [Word],
});

// ---------------------------------------------------------------- punctuation

export const LCurly = defineToken({ name: "LCurly", pattern: "{" });
export const RCurly = defineToken({ name: "RCurly", pattern: "}" });
export const LSquare = defineToken({ name: "LSquare", pattern: "[" });
export const RSquare = defineToken({ name: "RSquare", pattern: "]" });
export const LParen = defineToken({ name: "LParen", pattern: "(" });
export const RParen = defineToken({ name: "RParen", pattern: ")" });
export const Comma = defineToken({ name: "Comma", pattern: "," });
export const Dot = defineToken({ name: "Dot", pattern: "." });
/** `==`: an explicit exact match (`{exact}` in JSON). Listed before `=`. */
export const EqEq = defineToken({ name: "EqEq", pattern: "==" });
/** `=`: a setting or a bare (exact) filter value. */
export const Eq = defineToken({ name: "Eq", pattern: "=" });
/** `~`: a regular-expression search (`{regex}` in JSON). */
export const Tilde = defineToken({ name: "Tilde", pattern: "~" });

// ---------------------------------------------------------------- keywords

/** Every keyword token, in declaration order (the lexer reorders them longest first). */
export const keywordTokens: TokenType[] = [];

function keyword(image: string, name: string, ...roles: TokenType[]): TokenType {
  const token = defineToken({
    name,
    pattern: image,
    // Numbers are keywords only as TLS versions; a longer literal wins (`1.25`, `1.2.3.4`).
    longer_alt: /^\d/.test(image) ? [IPv4, NumberLiteral] : Identifier,
    categories: /^\d/.test(image) ? roles : [Word, ...roles],
  });
  keywordTokens.push(token);
  return token;
}

// Top-level blocks.
export const Schema = keyword("schema", "Schema");
export const Project = keyword("project", "Project");
export const Tunnel = keyword("tunnel", "Tunnel");
export const Grant = keyword("grant", "Grant");
export const Credential = keyword("credential", "Credential");
export const Test = keyword("test", "Test");

// Project and tunnel settings.
export const Name = keyword("name", "Name", FilterField);
export const Workspace = keyword("workspace", "Workspace");
export const Plan = keyword("plan", "Plan");
export const PublicAccess = keyword("public_access", "PublicAccess");
export const TrustedIps = keyword("trusted_ips", "TrustedIps", FilterField);
export const GeoIp = keyword("geo_ip", "GeoIp", FilterField);
export const TlsMin = keyword("tls_min", "TlsMin");
export const PostQuantum = keyword("post_quantum", "PostQuantum");
export const Fips = keyword("fips", "Fips");
export const Ech = keyword("ech", "Ech");
export const Labels = keyword("labels", "Labels");
export const Protocol = keyword("protocol", "Protocol", FilterField);
export const Hosts = keyword("hosts", "Hosts");
export const Public = keyword("public", "Public");
export const Private = keyword("private", "Private");
export const Upstream = keyword("upstream", "Upstream");
export const Auth = keyword("auth", "Auth", TokenTypeValue);
export const Token = keyword("token", "Token");
export const RstreamAuthMode = keyword("rstream-auth", "RstreamAuthMode");
export const None = keyword("none", "None");
export const TokenAuth = keyword("token_auth", "TokenAuth", FilterField);
export const RstreamAuth = keyword("rstream_auth", "RstreamAuth", FilterField);
export const Mtls = keyword("mtls", "Mtls", PolicyKindValue);
export const Ca = keyword("ca", "Ca");
export const Challenge = keyword("challenge", "Challenge", OutcomeValue, PolicyKindValue);
export const ForwardAuthorization = keyword("forward_authorization", "ForwardAuthorization");
export const AllowUsers = keyword("allow_users", "AllowUsers");
export const Members = keyword("members", "Members");
export const Users = keyword("users", "Users");
export const Clients = keyword("clients", "Clients");
export const Emails = keyword("emails", "Emails");
export const Domains = keyword("domains", "Domains");
export const Groups = keyword("groups", "Groups");

// Grants.
export const Type = keyword("type", "Type", FilterField);
export const Parent = keyword("parent", "Parent");
export const Expires = keyword("expires", "Expires");
export const Permissions = keyword("permissions", "Permissions");
export const Resources = keyword("resources", "Resources");
export const Any = keyword("any", "Any", Combinator);
export const All = keyword("all", "All", Combinator);
export const Scope = keyword("scope", "Scope");
export const Workspaces = keyword("workspaces", "Workspaces");
export const Projects = keyword("projects", "Projects");
export const Create = keyword("create", "Create", ActionKind);
export const Connect = keyword("connect", "Connect", ActionKind);
export const List = keyword("list", "List", ActionKind);
export const Where = keyword("where", "Where");
export const And = keyword("and", "And");
export const In = keyword("in", "In");
export const Path = keyword("path", "Path");
export const Prefix = keyword("prefix", "Prefix");
export const Glob = keyword("glob", "Glob");
export const Methods = keyword("methods", "Methods");
export const Select = keyword("select", "Select");
export const Params = keyword("params", "Params");

// Filter fields that are not settings keywords above.
export const Id = keyword("id", "Id", FilterField);
export const Hostname = keyword("hostname", "Hostname", FilterField);
export const Status = keyword("status", "Status", FilterField);
export const TlsMinVersion = keyword("tls_min_version", "TlsMinVersion", FilterField);
export const Publish = keyword("publish", "Publish", FilterField);
export const ChallengeMode = keyword("challenge_mode", "ChallengeMode", FilterField);
export const MtlsAuth = keyword("mtls_auth", "MtlsAuth", FilterField);
export const HttpVersion = keyword("http_version", "HttpVersion", FilterField);
export const ClientId = keyword("client_id", "ClientId", FilterField);
export const UserId = keyword("user_id", "UserId", FilterField);

// Credentials.
export const SubjectCn = keyword("subject_cn", "SubjectCn");
export const Fingerprint = keyword("fingerprint", "Fingerprint");

// Policy tests.
export const Request = keyword("request", "Request");
export const From = keyword("from", "From");
export const Country = keyword("country", "Country");
export const Header = keyword("header", "Header", TokenPlaceValue);
export const Query = keyword("query", "Query", TokenPlaceValue);
export const Session = keyword("session", "Session");
export const User = keyword("user", "User");
/** `token grant "g" owner user "u1"` / `owner client "ci-bot"`: whose token it is (S-T8). */
export const Owner = keyword("owner", "Owner");
export const Client = keyword("client", "Client");
export const Email = keyword("email", "Email");
export const Tls = keyword("tls", "Tls", ProtocolValue, PolicyKindValue);
export const Version = keyword("version", "Version");
export const Group = keyword("group", "Group");
export const ClientCert = keyword("client_cert", "ClientCert");
export const Expect = keyword("expect", "Expect");
export const Valid = keyword("valid", "Valid", CookieStateValue);
export const Invalid = keyword("invalid", "Invalid", CookieStateValue);

// Closed enums of the document model.
export const Basic = keyword("basic", "Basic", PlanValue);
export const Pro = keyword("pro", "Pro", PlanValue);
export const Enterprise = keyword("enterprise", "Enterprise", PlanValue);
export const Allowed = keyword("allowed", "Allowed", AccessValue);
export const AuthRequired = keyword("auth-required", "AuthRequired", AccessValue);
export const Forbidden = keyword("forbidden", "Forbidden", AccessValue);
export const Off = keyword("off", "Off", FeatureModeValue, BoolValue);
export const Preferred = keyword("preferred", "Preferred", FeatureModeValue);
export const Required = keyword("required", "Required", FeatureModeValue);
export const On = keyword("on", "On", BoolValue);
export const True = keyword("true", "True", BoolValue);
export const False = keyword("false", "False", BoolValue);
export const Http = keyword("http", "Http", ProtocolValue);
export const TlsPassthrough = keyword("tls-passthrough", "TlsPassthrough", ProtocolValue);
export const Dtls = keyword("dtls", "Dtls", ProtocolValue);
export const Quic = keyword("quic", "Quic", ProtocolValue);
export const Tcp = keyword("tcp", "Tcp", ProtocolValue);
export const Pat = keyword("pat", "Pat", TokenTypeValue);
export const App = keyword("app", "App", TokenTypeValue);
export const Tls12 = keyword("1.2", "Tls12", TlsVersionValue);
export const Tls13 = keyword("1.3", "Tls13", TlsVersionValue);
export const Malformed = keyword("malformed", "Malformed", InvalidTokenValue);
export const BadSignature = keyword("bad_signature", "BadSignature", InvalidTokenValue);
export const Expired = keyword("expired", "Expired", InvalidTokenValue);
export const NotYetValid = keyword("not_yet_valid", "NotYetValid", InvalidTokenValue);
export const Forward = keyword("forward", "Forward", OutcomeValue);
export const Deny = keyword("deny", "Deny", OutcomeValue);
export const Login = keyword("login", "Login", OutcomeValue);
export const Respond = keyword("respond", "Respond", OutcomeValue);
export const Ok = keyword("ok", "Ok", ReasonValue);
export const MissingToken = keyword("missing_token", "MissingToken", ReasonValue);
export const InvalidToken = keyword("invalid_token", "InvalidToken", ReasonValue);
export const ExpiredToken = keyword("expired_token", "ExpiredToken", ReasonValue);
export const InsufficientScope = keyword("insufficient_scope", "InsufficientScope", ReasonValue);
export const UserMismatch = keyword("user_mismatch", "UserMismatch", ReasonValue);
export const PolicyDenied = keyword("policy_denied", "PolicyDenied", ReasonValue);
export const NoRoute = keyword("no_route", "NoRoute", ReasonValue);
export const LoginRequired = keyword("login_required", "LoginRequired", ReasonValue);
export const ChallengeRequired = keyword("challenge_required", "ChallengeRequired", ReasonValue);
export const NotAllowed = keyword("not_allowed", "NotAllowed", ReasonValue);
export const Ip = keyword("ip", "Ip", PolicyKindValue);
export const Geo = keyword("geo", "Geo", PolicyKindValue);

/** API permissions (S-T2): dotted, so they are whole keywords rather than words. */
export const PermReadOnly = defineToken({
  name: "PermReadOnly",
  pattern: "tunnels.resources.read-only",
  categories: [PermissionValue],
});
export const PermTunnelsCreateDelete = defineToken({
  name: "PermTunnelsCreateDelete",
  pattern: "tunnels.tunnels.create-delete",
  categories: [PermissionValue],
});
export const PermStreamsCreateDelete = defineToken({
  name: "PermStreamsCreateDelete",
  pattern: "tunnels.streams.create-delete",
  categories: [PermissionValue],
});
const permissionTokens = [PermReadOnly, PermTunnelsCreateDelete, PermStreamsCreateDelete];

const categoryTokens = [
  Word,
  StringLike,
  PlanValue,
  AccessValue,
  FeatureModeValue,
  ProtocolValue,
  TokenTypeValue,
  BoolValue,
  TlsVersionValue,
  InvalidTokenValue,
  TokenPlaceValue,
  CookieStateValue,
  OutcomeValue,
  ReasonValue,
  PolicyKindValue,
  PermissionValue,
  FilterField,
  ActionKind,
  Combinator,
];

/** The literal image of a keyword token (its pattern), or undefined for other tokens. */
export function keywordImage(token: TokenType): string | undefined {
  return typeof token.PATTERN === "string" ? token.PATTERN : undefined;
}

// Longest keyword first, so `auth-required` is tried before `auth` and `tls_min_version`
// before `tls_min` (the lexer takes the first pattern that matches, then its longer_alt).
const keywordsLongestFirst = [...keywordTokens].sort(
  (a, b) => (keywordImage(b)?.length ?? 0) - (keywordImage(a)?.length ?? 0),
);

/**
 * Every token type in lexer order. Order matters: comments and strings before anything that
 * could start inside them; IPv6 (needs a colon) before IPv4 before numbers; keywords before
 * identifiers; `==` before `=`.
 */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  StringLiteral,
  BadEscapeString,
  UnterminatedString,
  ...permissionTokens,
  IPv6,
  ...keywordsLongestFirst,
  IPv4,
  NumberLiteral,
  Identifier,
  LCurly,
  RCurly,
  LSquare,
  RSquare,
  LParen,
  RParen,
  Comma,
  Dot,
  EqEq,
  Eq,
  Tilde,
  ...categoryTokens,
];

/**
 * Keywords spelled like words, by image. The lexer does not try them one by one: it reads a
 * whole word as an `Identifier` and the token factory below looks the word up here. That gives
 * the same tokens as listing each keyword (longest first, with `Identifier` as `longer_alt`):
 * a keyword is recognised exactly when the whole word is its image. It saves a pattern test per
 * keyword that shares the word's first letter, about a third of lexing a large policy.
 */
const wordKeywords = new Map(
  keywordTokens.flatMap((token) => {
    const image = keywordImage(token);
    return image !== undefined && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(image)
      ? [[image, token] as const]
      : [];
  }),
);

/** The token types the lexer tries, in order: `allTokens` without the word-like keywords. */
const lexerTokens = allTokens.filter((token) => !wordKeywords.has(keywordImage(token) ?? ""));

/**
 * Builds the lexer. `validate`: check the token definitions themselves (unreachable patterns,
 * anchors …), a third of building it; they are fixed code, so the test suite checks them once
 * (`test/grammar/tokens.test.ts`) and the lexer the tools use skips the check.
 */
export function buildPolicyLexer(options: { readonly validate?: boolean } = {}): PolicyLexer {
  const { Lexer } = chevrotain();
  const lexer = new Lexer(lexerTokens, {
    // Spans are offsets; lines and columns are computed from the text only for display.
    positionTracking: "onlyOffset",
    ensureOptimizations: true,
    skipValidations: !(options.validate ?? false),
  });
  // Chevrotain picks its token factory per position-tracking mode on this instance field.
  (lexer as unknown as { createTokenInstance: typeof offsetToken }).createTokenInstance =
    offsetToken;
  return lexer;
}

let sharedLexer: PolicyLexer | undefined;

/**
 * The one lexer instance (stateless between `tokenize` calls), built on the first `tokenize`:
 * a JSON policy, and a command that reads none, never pay for building it (~15 ms of CPU).
 */
export const policyLexer: Pick<PolicyLexer, "tokenize"> = {
  tokenize: (text, initialMode) => (sharedLexer ??= buildPolicyLexer()).tokenize(text, initialMode),
};

/**
 * A token with offsets only, as "onlyOffset" makes it, plus the end offset, which the syntax
 * tree's extents and the spans need and which that mode leaves out ("full" also counts lines and columns for
 * every token: a fifth of lexing time and a third of each token's size on a large policy).
 */
function offsetToken(
  image: string,
  start: number,
  tokenTypeIdx: number,
  tokenType: TokenType,
  _startLine: number,
  _startColumn: number,
  imageLength: number,
): IToken {
  const keyword = tokenType === Identifier ? wordKeywords.get(image) : undefined;
  if (keyword !== undefined) {
    return {
      image,
      startOffset: start,
      endOffset: start + imageLength - 1,
      tokenTypeIdx: keyword.tokenTypeIdx as number,
      tokenType: keyword,
    };
  }
  return { image, startOffset: start, endOffset: start + imageLength - 1, tokenTypeIdx, tokenType };
}

/** Whether a token is a string literal (of category `StringLike`), not a word or an address. */
export function isStringToken(token: IToken): boolean {
  // Compared one by one: this runs for every list item and key of a policy, and a set lookup
  // of the type was several times slower.
  const type = token.tokenType;
  return type === StringLiteral || type === BadEscapeString || type === UnterminatedString;
}
