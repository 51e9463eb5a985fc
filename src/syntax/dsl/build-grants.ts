/** Grant blocks → document: the resource tree (S-T3), actions and filters (S-T4). */
import type {
  Action,
  Extent,
  ActionBodyStatement,
  Comparison,
  Filter,
  GrantNode,
  GrantStatement,
  PathStatement,
  ScopeStatement,
  StringMatch,
  TokenList,
} from "../../../grammar/syntax-tree.ts";
import type { IToken } from "chevrotain";
import * as tokens from "../../../grammar/tokens.ts";
import type { SpanNode } from "../span-tree.ts";
import type { DocumentWriter, Target } from "./document-writer.ts";
import { applySetting, bool, listValues, set, setList, str, word } from "./build-values.ts";
import type { Obj } from "./build-values.ts";
import { grantKeys, scopeKeys } from "./setting-keys.ts";

const isList = (value: IToken | TokenList): value is TokenList => "items" in value;

/** One statement of a grant block. */
export function grantStatement(w: DocumentWriter, t: Target, s: GrantStatement): void {
  if (s.kind === "setting") {
    // `permissions all`: every permission (null in the document).
    if (s.value !== undefined && !isList(s.value) && s.value.tokenType === tokens.All) {
      set(w, t, s.start, "permissions", s.keyword, null, s.value);
      return;
    }
    return applySetting(w, t, s, grantKeys);
  }
  const resources: Obj = {};
  const ptr = set(w, t, s.start, "resources", s.keyword, resources, s);
  if (ptr === undefined) return;
  const treePtr = ptr.child("tunnels");
  resources["tunnels"] = grantNode(w, s.tree, treePtr);
  w.mark(treePtr, s.tree);
}

/** `any { … }` → `{OR: […]}`, `all { … }` → `{AND: […]}`, `scope { … }` → a leaf. */
function grantNode(w: DocumentWriter, node: GrantNode, ptr: SpanNode): Obj {
  w.anchor(ptr, node.start);
  w.anchor(ptr, node.close.startOffset, true);
  if (node.kind === "grant-combinator") {
    const [listPtr, value] = combination(w, node.combinator, node.children, ptr, (child, at) =>
      grantNode(w, child, at),
    );
    w.mark(listPtr, node);
    return value;
  }
  const leaf: Obj = {};
  const target: Target = { obj: leaf, ptr, at: node.start };
  for (const s of node.statements) scopeStatement(w, target, s);
  return leaf;
}

/**
 * `any` / `all` over `items`: `{OR: […]}` or `{AND: […]}`, each item written by `write` at its
 * index under the operator. Returns the operator's span node and the value.
 */
function combination<N extends Extent>(
  w: DocumentWriter,
  combinator: IToken,
  items: readonly N[],
  ptr: SpanNode,
  write: (item: N, at: SpanNode) => Obj,
): [SpanNode, Obj] {
  const op = combinator.image === "any" ? "OR" : "AND";
  const listPtr = ptr.child(op);
  const values = items.map((item, i) => {
    const itemPtr = listPtr.child(i);
    w.mark(itemPtr, item);
    return write(item, itemPtr);
  });
  return [listPtr, { [op]: values }];
}

function scopeStatement(w: DocumentWriter, t: Target, s: ScopeStatement): void {
  if (s.kind === "setting") return applySetting(w, t, s, scopeKeys);
  const scopes = w.child({ obj: t.obj, ptr: t.ptr, at: s.start }, "scopes", s);
  const tunnels = w.child(scopes, "tunnels", s);
  action(w, { obj: tunnels.obj, ptr: tunnels.ptr, at: s.start }, s);
}

/** `connect` (true), `connect off` (false), or the action object. */
function action(w: DocumentWriter, t: Target, s: Action): void {
  const kind = s.keyword;
  if (s.flag !== undefined) {
    set(w, t, s.start, kind.image, kind, bool(s.flag), s.flag);
    return;
  }
  if (s.filter === undefined && s.body === undefined) {
    set(w, t, s.start, kind.image, kind, true, kind);
    return;
  }
  const value: Obj = {};
  const ptr = set(w, t, s.start, kind.image, kind, value, s);
  if (ptr === undefined) return;
  const target: Target = { obj: value, ptr, at: s.start };
  if (s.filter !== undefined && s.where !== undefined) {
    const filters = filter(w, s.filter, ptr.child("filters"));
    w.put(target, "filters", s.where, filters, s.filter);
  }
  if (s.body !== undefined) {
    w.anchor(target.ptr, s.body.close.startOffset, true);
    for (const statement of s.body.statements) actionBodyStatement(w, target, statement);
  }
}

function actionBodyStatement(w: DocumentWriter, t: Target, s: ActionBodyStatement): void {
  if (s.kind === "setting" && s.keyword.tokenType === tokens.Select) {
    if (s.value !== undefined && isList(s.value)) setList(w, t, s, "select", s.value);
    return;
  }
  const params = w.child({ obj: t.obj, ptr: t.ptr, at: s.start }, "params", s);
  if (s.kind === "setting") {
    if (s.value !== undefined && isList(s.value)) setList(w, params, s, "methods", s.value);
  } else if (s.kind === "path") {
    const value = pathValue(w, s, params.ptr.child("path"));
    set(w, params, s.start, "path", s.keyword, value, s);
  }
}

/** `= "/x"` → the string; a string match → its object; `prefix|glob […]` → `{prefix|glob: […]}`. */
function pathValue(w: DocumentWriter, s: PathStatement, ptr: SpanNode): unknown {
  if (s.match !== undefined) return stringMatch(w, s.match, ptr);
  const value = s.value;
  if (value === undefined) return undefined;
  if (!isList(value)) return str(value);
  const op = s.operator?.tokenType === tokens.Prefix ? "prefix" : "glob";
  w.mark(ptr.child(op), value);
  return { [op]: listValues(w, value, ptr.child(op)) };
}

/** `== "x"` → `{exact}`, `~ "re"` → `{regex}`, `in […]` → `{oneof}`. */
function stringMatch(w: DocumentWriter, m: StringMatch, ptr: SpanNode): Obj {
  if (isList(m.value)) {
    w.mark(ptr.child("oneof"), m.value);
    return { oneof: listValues(w, m.value, ptr.child("oneof")) };
  }
  const op = m.operator.tokenType === tokens.EqEq ? "exact" : "regex";
  w.mark(ptr.child(op), m.value);
  return { [op]: str(m.value) };
}

function filter(w: DocumentWriter, f: Filter, ptr: SpanNode): Obj {
  if (f.kind === "filter-combinator") {
    return combination(w, f.combinator, f.items, ptr, (item, at) => filter(w, item, at))[1];
  }
  const fields: Obj = {};
  for (const c of f.comparisons) comparison(w, { obj: fields, ptr, at: c.start }, c);
  return fields;
}

function comparison(w: DocumentWriter, t: Target, c: Comparison): void {
  // `labels.key = …` writes into the filter's `labels` object, keyed by the label.
  const target = c.labels === undefined ? t : w.child(t, "labels", c.labels);
  const key = c.labels === undefined ? c.field.image : word(c.field);
  const ptr = target.ptr.child(key);
  const value = c.match !== undefined ? stringMatch(w, c.match, ptr) : filterValue(w, c.value, ptr);
  const what = c.labels !== undefined ? `label \`${key}\`` : `filter field \`${key}\``;
  w.put(target, key, c.field, value, c, what);
}

/** The right side of `=`: a string (exact), a boolean or a list. */
function filterValue(
  w: DocumentWriter,
  value: IToken | TokenList | undefined,
  ptr: SpanNode,
): unknown {
  if (value === undefined) return undefined;
  if (isList(value)) return listValues(w, value, ptr);
  return tokens.isStringToken(value) ? str(value) : bool(value);
}
