/**
 * The direct path's policy-test statements: the grammar of `piece-parser.ts` for them, writing
 * what `build-tests.ts` writes, span rows in the same order.
 */
import type { TokenType } from "chevrotain";
import * as t from "../../../grammar/tokens.ts";
import type { Obj, SettingKeys } from "./build-values.ts";
import { GIVE_UP } from "./direct-reader.ts";
import type { DirectReader } from "./direct-reader.ts";
import { setting, settingsBlock } from "./direct-settings.ts";
import type { BlockValueType, StatementReader } from "./direct-settings.ts";
import { requestDetailKeys, sessionKeys, tlsKeys } from "./setting-keys.ts";

/**
 * One statement of a test block. The tree path writes the request before the expectation
 * whatever their order; an expectation written first is left to it.
 */
export const testStatement: StatementReader = (r, obj, row) => {
  if (r.type === t.Request) {
    if (Object.hasOwn(obj, "expect")) throw GIVE_UP;
    return request(r, obj, row);
  }
  if (r.type === t.Expect) return expect(r, obj, row);
  throw GIVE_UP;
};

/** `request [METHOD] "url" from ADDRESS [country CC] [{ details }]`. */
function request(r: DirectReader, obj: Obj, row: number): void {
  const start = r.start;
  r.advance();
  r.claim(obj, "request");
  const value: Obj = {};
  obj["request"] = value;
  const requestRow = r.row(row, "request");
  if (r.is(t.Word)) {
    const methodStart = r.start;
    r.put(value, requestRow, "method", r.takeImage(t.Word), methodStart, r.lastEnd);
  }
  const urlStart = r.start;
  r.put(value, requestRow, "url", r.takeString(), urlStart, r.lastEnd);
  r.take(t.From);
  const ipStart = r.start;
  if (!r.isListItem()) throw GIVE_UP;
  r.put(value, requestRow, "client_ip", r.takeWord(), ipStart, r.lastEnd);
  if (r.option(t.Country)) {
    const codeStart = r.start;
    r.put(value, requestRow, "country", r.takeKey(), codeStart, r.lastEnd);
  }
  if (r.option(t.LCurly)) {
    // `headers`, made by the first `header` line, with that line's span.
    let headersRow = -1;
    while (r.type !== t.RCurly) {
      if (r.type !== t.Header) {
        requestDetail(r, value, requestRow);
        continue;
      }
      const headerStart = r.start;
      r.advance();
      const made = !Object.hasOwn(value, "headers");
      if (made) {
        value["headers"] = {};
        headersRow = r.row(requestRow, "headers");
      }
      const name = r.takeString();
      r.take(t.Eq);
      const valueStart = r.start;
      // SAFETY: `headers` was made above as an object, and only here.
      const headers = value["headers"] as Obj;
      r.put(headers, headersRow, name, r.takeString(), valueStart, r.lastEnd);
      if (made) r.span(headersRow, headerStart, r.lastEnd);
    }
    r.take(t.RCurly);
  }
  r.span(requestRow, start, r.lastEnd);
}

/** A detail of a request other than a header: its token, cookie, session or TLS. */
function requestDetail(r: DirectReader, obj: Obj, row: number): void {
  switch (r.type) {
    case t.Token:
      return token(r, obj, row);
    case t.Challenge:
      return setting(r, obj, row, requestDetailKeys, t.CookieStateValue);
    case t.Session:
      return settingsBlock(r, obj, row, "session", sessionKeys, SESSION_VALUE);
    case t.Tls:
      return settingsBlock(r, obj, row, "tls", tlsKeys, TLS_VALUE);
    default:
      throw GIVE_UP;
  }
}

/** The value type of each statement of `session { … }` and `tls { … }`. */
const NESTED_VALUES = new Map<TokenType, TokenType>([
  [t.User, t.StringLike],
  [t.Email, t.StringLike],
  [t.Name, t.StringLike],
  [t.Groups, t.LSquare],
  [t.Version, t.TlsVersionValue],
  [t.Group, t.StringLike],
  [t.Ech, t.BoolValue],
  [t.ClientCert, t.StringLike],
]);

/** A test's `session { … }` and `tls { … }`: each statement's value type by its keyword. */
function nestedValue(keys: SettingKeys): BlockValueType {
  return (keyword) => (keys.has(keyword) ? NESTED_VALUES.get(keyword) : undefined);
}

const SESSION_VALUE = nestedValue(sessionKeys);
const TLS_VALUE = nestedValue(tlsKeys);

/**
 * `token grant "g" [in PLACE] [owner KIND "id"]` → `{grant, in, owner: {KIND: id}}`;
 * `token invalid KIND` → `{invalid, in}`.
 */
function token(r: DirectReader, obj: Obj, row: number): void {
  const start = r.start;
  r.advance();
  r.claim(obj, "token");
  const tokenRow = r.row(row, "token");
  const value: Obj = {};
  if (r.option(t.Grant)) {
    const at = r.start;
    value["grant"] = r.takeString();
    r.span(r.row(tokenRow, "grant"), at, r.lastEnd);
  } else {
    r.take(t.Invalid);
    const at = r.start;
    value["invalid"] = r.takeImage(t.InvalidTokenValue);
    r.span(r.row(tokenRow, "invalid"), at, r.lastEnd);
  }
  if (r.option(t.In)) {
    const at = r.start;
    value["in"] = r.takeImage(t.TokenPlaceValue);
    r.span(r.row(tokenRow, "in"), at, r.lastEnd);
  }
  if (r.option(t.Owner)) {
    // `owner user "u1"` → `owner: {user: "u1"}`, the id marked where it is written.
    const kindStart = r.start;
    const kind = r.is(t.User) ? r.takeImage(t.User) : r.takeImage(t.Client);
    const ownerRow = r.row(tokenRow, "owner");
    r.span(ownerRow, kindStart, r.lastEnd);
    const idStart = r.start;
    value["owner"] = { [kind]: r.takeString() };
    r.span(r.row(ownerRow, kind), idStart, r.lastEnd);
  }
  obj["token"] = value;
  r.span(tokenRow, start, r.lastEnd);
}

/** `expect OUTCOME [STATUS] [REASON] [POLICY]`. */
function expect(r: DirectReader, obj: Obj, row: number): void {
  const start = r.start;
  r.advance();
  r.claim(obj, "expect");
  const value: Obj = {};
  const expectRow = r.row(row, "expect");
  const field = (key: string, type: TokenType, read: (image: string) => unknown): void => {
    const at = r.start;
    value[key] = read(r.takeImage(type));
    r.span(r.row(expectRow, key), at, r.lastEnd);
  };
  field("outcome", t.OutcomeValue, String);
  if (r.is(t.NumberLiteral)) field("status", t.NumberLiteral, Number);
  if (r.is(t.ReasonValue)) field("reason", t.ReasonValue, String);
  if (r.is(t.PolicyKindValue)) field("policy", t.PolicyKindValue, String);
  obj["expect"] = value;
  r.span(expectRow, start, r.lastEnd);
}
