/**
 * The direct path's project, tunnel and credential statements: the grammar of
 * `piece-parser.ts` for them, writing what `build-settings.ts` and `applySetting` write.
 */
import type { TokenType } from "chevrotain";
import * as t from "../../../grammar/tokens.ts";
import { InternalError } from "../../diagnostics/diagnostic.ts";
import type { Obj, SettingKeys } from "./build-values.ts";
import { GIVE_UP } from "./direct-reader.ts";
import type { DirectReader } from "./direct-reader.ts";
import {
  allowUsersKeys,
  credentialKeys,
  membersKeys,
  projectKeys,
  tunnelKeys,
} from "./setting-keys.ts";

/** A statement of a block, writing into the block's object and span row. */
export type StatementReader = (r: DirectReader, obj: Obj, row: number) => void;

/**
 * `keyword value` (the value of or in category `valueType`, or a list), written where `keys`
 * says and read as it says (`applySetting`).
 */
export function setting(
  r: DirectReader,
  obj: Obj,
  row: number,
  keys: SettingKeys,
  valueType: TokenType,
): void {
  // SAFETY: callers pass the type of the current token.
  const entry = keys.get(r.type as TokenType);
  if (entry === undefined) throw new InternalError("no document key for a setting");
  const [key, kind] = entry;
  r.advance();
  if (kind === "list") return r.putList(obj, row, key);
  const start = r.start;
  // A string value is a `StringLike`, which the scanner reads only as a well-formed literal.
  const value =
    kind === "string"
      ? r.takeString()
      : kind === "bool"
        ? isTrue(r.takeImage(valueType))
        : r.takeImage(valueType);
  r.put(obj, row, key, value, start, r.lastEnd);
}

/** The value of an `on` / `off` / `true` / `false` token. */
export const isTrue = (image: string): boolean => image === "on" || image === "true";

/** One statement of the project block. */
export const projectStatement: StatementReader = (r, obj, row) => {
  switch (r.type) {
    case t.Name:
    case t.Workspace:
      return setting(r, obj, row, projectKeys, t.StringLike);
    case t.Plan:
      return setting(r, obj, row, projectKeys, t.PlanValue);
    case t.PublicAccess:
      return setting(r, obj, row, projectKeys, t.AccessValue);
    case t.Members:
      return settingsBlock(r, obj, row, "members", membersKeys, MEMBERS_LISTS);
    default:
      return edgeStatement(r, obj, row, projectKeys);
  }
};

/** The statements the project and tunnels share (`keys`: the block's). */
function edgeStatement(r: DirectReader, obj: Obj, row: number, keys: SettingKeys): void {
  switch (r.type) {
    case t.TrustedIps:
    case t.GeoIp:
      return setting(r, obj, row, keys, t.LSquare);
    case t.TlsMin:
      return setting(r, obj, row, keys, t.TlsVersionValue);
    case t.Ech:
      return setting(r, obj, row, keys, t.FeatureModeValue);
    case t.PostQuantum:
      return postQuantum(r, obj, row);
    default:
      throw GIVE_UP;
  }
}

/** The value type a block's statement keyword takes, or `undefined` where the block refuses it. */
export type BlockValueType = (keyword: TokenType) => TokenType | undefined;

/** Statements that are lists keyed by the keyword itself (`members`, `allow_users`). */
function listsKeyedBy(...keywords: TokenType[]): BlockValueType {
  return (keyword) => (keywords.includes(keyword) ? keyword : undefined);
}

const MEMBERS_LISTS = listsKeyedBy(t.Users, t.Clients);
const ALLOW_USERS_LISTS = listsKeyedBy(t.Emails, t.Domains, t.Groups);

/**
 * `keyword { statements }`, written as an object at `key`: each statement is a setting of
 * `keys` whose value type `valueType` gives (`members`, `allow_users`, a test's `session` and
 * `tls`); any other statement gives up.
 */
export function settingsBlock(
  r: DirectReader,
  obj: Obj,
  row: number,
  key: string,
  keys: SettingKeys,
  valueType: BlockValueType,
): void {
  const start = r.start;
  r.advance();
  r.take(t.LCurly);
  r.claim(obj, key);
  const value: Obj = {};
  obj[key] = value;
  const valueRow = r.row(row, key);
  for (let type = r.type; type !== t.RCurly; type = r.type) {
    const statementValue = type === undefined ? undefined : valueType(type);
    if (statementValue === undefined) throw GIVE_UP;
    setting(r, value, valueRow, keys, statementValue);
  }
  r.take(t.RCurly);
  r.span(valueRow, start, r.lastEnd);
}

/** `post_quantum MODE [fips [BOOL]]` → `{mode, fips}`. */
function postQuantum(r: DirectReader, obj: Obj, row: number): void {
  const start = r.start;
  r.advance();
  const modeStart = r.start;
  const value: Obj = { mode: r.takeImage(t.FeatureModeValue) };
  const modeEnd = r.lastEnd;
  let fips: [start: number, end: number] | undefined;
  if (r.option(t.Fips)) {
    // `fips` alone is `fips on`; the span is the value's, or the keyword's without one.
    value["fips"] = r.is(t.BoolValue) ? isTrue(r.takeImage(t.BoolValue)) : true;
    fips = [r.lastStart, r.lastEnd];
  }
  const ptr = r.put(obj, row, "post_quantum", value, start, r.lastEnd);
  r.span(r.row(ptr, "mode"), modeStart, modeEnd);
  if (fips !== undefined) r.span(r.row(ptr, "fips"), fips[0], fips[1]);
}

/** One statement of a tunnel block. */
export const tunnelStatement: StatementReader = (r, obj, row) => {
  switch (r.type) {
    case t.Name:
    case t.Upstream:
      return setting(r, obj, row, tunnelKeys, t.StringLike);
    case t.Protocol:
      return setting(r, obj, row, tunnelKeys, t.ProtocolValue);
    case t.Hosts:
      return setting(r, obj, row, tunnelKeys, t.LSquare);
    case t.TokenAuth:
    case t.RstreamAuth:
    case t.Challenge:
    case t.ForwardAuthorization:
      return setting(r, obj, row, tunnelKeys, t.BoolValue);
    case t.Public:
    case t.Private: {
      const publish = r.type === t.Public;
      const start = r.start;
      const end = r.end;
      r.advance();
      r.put(obj, row, "publish", publish, start, end);
      return;
    }
    case t.Labels:
      return labels(r, obj, row);
    case t.Auth:
      return auth(r, obj, row);
    case t.Mtls:
      return mtls(r, obj, row);
    case t.AllowUsers:
      return settingsBlock(r, obj, row, "rstream_auth_allow", allowUsersKeys, ALLOW_USERS_LISTS);
    default:
      return edgeStatement(r, obj, row, tunnelKeys);
  }
};

/** `labels { key = "value", … }`. */
function labels(r: DirectReader, obj: Obj, row: number): void {
  const start = r.start;
  r.advance();
  r.take(t.LCurly);
  r.claim(obj, "labels");
  const values: Obj = {};
  obj["labels"] = values;
  const labelsRow = r.row(row, "labels");
  while (r.type !== t.RCurly) {
    const key = r.takeKey();
    r.take(t.Eq);
    const valueStart = r.start;
    r.put(values, labelsRow, key, r.takeString(), valueStart, r.lastEnd);
    r.option(t.Comma);
  }
  r.take(t.RCurly);
  r.span(labelsRow, start, r.lastEnd);
}

/** `auth none` or `auth token, rstream-auth`: sets both `token_auth` and `rstream_auth`. */
function auth(r: DirectReader, obj: Obj, row: number): void {
  const start = r.start;
  const keywordEnd = r.end;
  r.advance();
  if (r.option(t.None)) {
    r.put(obj, row, "token_auth", false, r.lastStart, r.lastEnd);
    r.put(obj, row, "rstream_auth", false, r.lastStart, r.lastEnd);
    return;
  }
  // Where each mode was written (the keyword's span when it was not).
  let tokenStart = -1;
  let tokenEnd = -1;
  let rstreamStart = -1;
  let rstreamEnd = -1;
  do {
    if (r.option(t.Token)) {
      if (tokenStart >= 0) throw GIVE_UP;
      tokenStart = r.lastStart;
      tokenEnd = r.lastEnd;
    } else {
      r.take(t.RstreamAuthMode);
      if (rstreamStart >= 0) throw GIVE_UP;
      rstreamStart = r.lastStart;
      rstreamEnd = r.lastEnd;
    }
  } while (r.option(t.Comma));
  const token = tokenStart >= 0;
  r.put(obj, row, "token_auth", token, token ? tokenStart : start, token ? tokenEnd : keywordEnd);
  const rstream = rstreamStart >= 0;
  r.put(
    obj,
    row,
    "rstream_auth",
    rstream,
    rstream ? rstreamStart : start,
    rstream ? rstreamEnd : keywordEnd,
  );
}

/** `mtls ca "name"` → `{ca}`. */
function mtls(r: DirectReader, obj: Obj, row: number): void {
  const start = r.start;
  r.advance();
  r.take(t.Ca);
  const caStart = r.start;
  const ca = r.takeString();
  const ptr = r.put(obj, row, "mtls_auth", { ca }, start, r.lastEnd);
  r.span(r.row(ptr, "ca"), caStart, r.lastEnd);
}

/** One statement of a credential block. */
export const credentialStatement: StatementReader = (r, obj, row) => {
  const type = r.type;
  if (type !== t.SubjectCn && type !== t.Fingerprint && type !== t.Grant) throw GIVE_UP;
  setting(r, obj, row, credentialKeys, t.StringLike);
};
