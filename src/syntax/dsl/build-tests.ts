/** Policy-test blocks → document: the request (with its details) and the expected outcome. */
import type { IToken } from "chevrotain";
import type {
  Expect,
  NestedBlock,
  Request,
  RequestDetail,
  TestStatement,
  TokenDetail,
} from "../../../grammar/syntax-tree.ts";
import * as tokens from "../../../grammar/tokens.ts";
import type { SpanNode } from "../span-tree.ts";
import type { DocumentWriter, Target } from "./document-writer.ts";
import { applySetting, set, str, word } from "./build-values.ts";
import type { Obj, SettingKeys } from "./build-values.ts";
import { requestDetailKeys, sessionKeys, tlsKeys } from "./setting-keys.ts";

/** A test block's statements: its requests, then its expectations (each written once). */
export function testStatements(w: DocumentWriter, t: Target, statements: TestStatement[]): void {
  for (const s of statements) if (s.kind === "request") request(w, t, s);
  for (const s of statements) if (s.kind === "expect") expect(w, t, s);
}

function request(w: DocumentWriter, t: Target, s: Request): void {
  const value: Obj = {};
  const ptr = set(w, t, s.start, "request", s.keyword, value, s);
  if (ptr === undefined) return;
  const r: Target = { obj: value, ptr, at: s.start };
  if (s.method !== undefined) {
    w.put(r, "method", s.method, s.method.image, s.method);
  }
  w.put(r, "url", s.url, str(s.url), s.url);
  w.put(r, "client_ip", s.from, word(s.clientIp), s.clientIp);
  if (s.country !== undefined && s.countryCode !== undefined) {
    const code = s.countryCode;
    w.put(r, "country", s.country, word(code), code);
  }
  if (s.close !== undefined) w.anchor(ptr, s.close.startOffset, true);
  for (const d of s.details) requestDetail(w, r, d);
}

function requestDetail(w: DocumentWriter, t: Target, d: RequestDetail): void {
  const here: Target = { ...t, at: d.start };
  switch (d.kind) {
    case "token": {
      const value = tokenDetail(w, d, t.ptr.child("token"));
      set(w, t, d.start, "token", d.keyword, value, d);
      return;
    }
    case "header": {
      const headers = w.child(here, "headers", d);
      const name = str(d.name);
      w.put(
        { ...headers, at: d.start },
        name,
        d.name,
        str(d.value),
        d.value,
        `header ${d.name.image}`,
      );
      return;
    }
    case "setting":
      return applySetting(w, t, d, requestDetailKeys);
    case "nested":
      return nested(w, here, d);
  }
}

/** `session { … }` or `tls { … }`, written into `t.obj.session` or `t.obj.tls`. */
function nested(w: DocumentWriter, t: Target, block: NestedBlock): void {
  const isTls = block.keyword.tokenType === tokens.Tls;
  const key = isTls ? "tls" : "session";
  const keys: SettingKeys = isTls ? tlsKeys : sessionKeys;
  const value: Obj = {};
  const ptr = w.put(t, key, block.keyword, value, block, `\`${key}\``);
  if (ptr === undefined) return;
  const target: Target = { obj: value, ptr, at: block.start };
  for (const s of block.statements) applySetting(w, target, s, keys);
}

/**
 * `token grant "g" [in PLACE] [owner KIND "id"]` → `{grant, in, owner: {KIND: id}}`;
 * `token invalid KIND` → `{invalid, in}`.
 */
function tokenDetail(w: DocumentWriter, d: TokenDetail, ptr: SpanNode): Obj {
  const value: Obj = {};
  const mark = (key: string, token: IToken, v: unknown): void => {
    value[key] = v;
    w.mark(ptr.child(key), token);
  };
  if (d.form.tokenType === tokens.Grant) mark("grant", d.value, str(d.value));
  else mark("invalid", d.value, d.value.image);
  if (d.place !== undefined) mark("in", d.place, d.place.image);
  if (d.owner !== undefined) {
    // `owner user "u1"` → `owner: {user: "u1"}`, the id marked where it is written.
    const kind = d.owner.kind.image;
    const ownerPtr = ptr.child("owner");
    value["owner"] = { [kind]: str(d.owner.id) };
    w.mark(ownerPtr, d.owner.kind);
    w.mark(ownerPtr.child(kind), d.owner.id);
  }
  return value;
}

function expect(w: DocumentWriter, t: Target, s: Expect): void {
  const value: Obj = {};
  const ptr = set(w, t, s.start, "expect", s.keyword, value, s);
  if (ptr === undefined) return;
  const field = (key: string, token: IToken | undefined, v: (tok: IToken) => unknown): void => {
    if (token === undefined) return;
    value[key] = v(token);
    w.mark(ptr.child(key), token);
  };
  field("outcome", s.outcome, (tok) => tok.image);
  field("status", s.status, (tok) => Number(tok.image));
  field("reason", s.reason, (tok) => tok.image);
  field("policy", s.policy, (tok) => tok.image);
}
