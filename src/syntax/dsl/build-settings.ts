/** The project block and tunnel blocks (settings statements) → document. */
import type {
  AllowUsers,
  Auth,
  Labels,
  Members,
  Mtls,
  PostQuantum,
  ProjectStatement,
  TunnelStatement,
} from "../../../grammar/syntax-tree.ts";
import * as tokens from "../../../grammar/tokens.ts";
import type { DocumentWriter, Target } from "./document-writer.ts";
import { duplicateSetting } from "./errors.ts";
import { applySetting, bool, set, str, word } from "./build-values.ts";
import type { Obj } from "./build-values.ts";
import { allowUsersKeys, membersKeys, projectKeys, tunnelKeys } from "./setting-keys.ts";

/** One statement of the project block. */
export function projectStatement(w: DocumentWriter, t: Target, s: ProjectStatement): void {
  if (s.kind === "post-quantum") postQuantum(w, t, s);
  else if (s.kind === "members") members(w, t, s);
  else applySetting(w, t, s, projectKeys);
}

/** `members { users […] clients […] }` → `project.members` (S-T8). */
function members(w: DocumentWriter, t: Target, s: Members): void {
  const value: Obj = {};
  const ptr = set(w, t, s.start, "members", s.keyword, value, s);
  if (ptr === undefined) return;
  const target: Target = { obj: value, ptr, at: s.start };
  for (const statement of s.statements) applySetting(w, target, statement, membersKeys);
}

/** One statement of a tunnel block. */
export function tunnelStatement(w: DocumentWriter, t: Target, s: TunnelStatement): void {
  switch (s.kind) {
    case "setting": {
      const publish =
        s.keyword.tokenType === tokens.Public || s.keyword.tokenType === tokens.Private;
      if (!publish) return applySetting(w, t, s, tunnelKeys);
      const value = s.keyword.tokenType === tokens.Public;
      set(w, t, s.start, "publish", s.keyword, value, s.keyword);
      return;
    }
    case "post-quantum":
      return postQuantum(w, t, s);
    case "labels":
      return labels(w, t, s);
    case "auth":
      return auth(w, t, s);
    case "mtls":
      return mtls(w, t, s);
    case "allow-users":
      return allowUsers(w, t, s);
  }
}

function postQuantum(w: DocumentWriter, t: Target, s: PostQuantum): void {
  const value: Obj = { mode: s.mode.image };
  const ptr = set(w, t, s.start, "post_quantum", s.keyword, value, s);
  if (ptr === undefined) return;
  w.mark(ptr.child("mode"), s.mode);
  if (s.fips !== undefined) {
    value["fips"] = s.fipsValue === undefined ? true : bool(s.fipsValue);
    w.mark(ptr.child("fips"), s.fipsValue ?? s.fips);
  }
}

function mtls(w: DocumentWriter, t: Target, s: Mtls): void {
  const ptr = set(w, t, s.start, "mtls_auth", s.keyword, { ca: str(s.ca) }, s);
  if (ptr !== undefined) w.mark(ptr.child("ca"), s.ca);
}

function labels(w: DocumentWriter, t: Target, s: Labels): void {
  const values: Obj = {};
  const ptr = set(w, t, s.start, "labels", s.keyword, values, s);
  if (ptr === undefined) return;
  const target: Target = { obj: values, ptr, at: s.start };
  for (const entry of s.entries) {
    const key = word(entry.key);
    w.put(target, key, entry.key, str(entry.value), entry.value, `label \`${key}\``);
  }
}

/** `auth none` or `auth token, rstream-auth`: sets both `token_auth` and `rstream_auth`. */
function auth(w: DocumentWriter, t: Target, s: Auth): void {
  if (s.none !== undefined) {
    const span = s.none;
    set(w, t, s.start, "token_auth", s.keyword, false, span);
    set(w, t, s.start, "rstream_auth", s.keyword, false, span);
    return;
  }
  const token = s.modes.filter((m) => m.tokenType === tokens.Token);
  const rstream = s.modes.filter((m) => m.tokenType === tokens.RstreamAuthMode);
  for (const [first, second] of [token, rstream]) {
    if (first !== undefined && second !== undefined) {
      w.bag.add(duplicateSetting(w.token(second), `auth mode \`${first.image}\``, w.token(first)));
    }
  }
  const [tokenMode] = token;
  const [rstreamMode] = rstream;
  set(w, t, s.start, "token_auth", s.keyword, tokenMode !== undefined, tokenMode ?? s.keyword);
  set(
    w,
    t,
    s.start,
    "rstream_auth",
    s.keyword,
    rstreamMode !== undefined,
    rstreamMode ?? s.keyword,
  );
}

function allowUsers(w: DocumentWriter, t: Target, s: AllowUsers): void {
  const allow: Obj = {};
  const ptr = set(w, t, s.start, "rstream_auth_allow", s.keyword, allow, s);
  if (ptr === undefined) return;
  const target: Target = { obj: allow, ptr, at: s.start };
  for (const statement of s.statements) applySetting(w, target, statement, allowUsersKeys);
}
