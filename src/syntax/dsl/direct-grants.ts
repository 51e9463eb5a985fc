/**
 * The direct path's grant statements: the grammar of `piece-parser.ts` for grants (the
 * resource tree, actions, filters), writing what `build-grants.ts` writes, span rows in the
 * same order.
 */
import * as t from "../../../grammar/tokens.ts";
import type { Obj } from "./build-values.ts";
import { assign, GIVE_UP } from "./direct-reader.ts";
import type { DirectReader } from "./direct-reader.ts";
import { isTrue, setting } from "./direct-settings.ts";
import type { StatementReader } from "./direct-settings.ts";
import { grantKeys, scopeKeys } from "./setting-keys.ts";

/** One statement of a grant block. */
export const grantStatement: StatementReader = (r, obj, row) => {
  switch (r.type) {
    case t.Type:
      return setting(r, obj, row, grantKeys, t.TokenTypeValue);
    case t.Parent:
    case t.Expires:
      return setting(r, obj, row, grantKeys, t.StringLike);
    case t.Permissions:
      r.advance();
      if (!r.option(t.All)) return r.putList(obj, row, "permissions");
      // `permissions all`: every permission (null in the document).
      r.put(obj, row, "permissions", null, r.lastStart, r.lastEnd);
      return;
    case t.Resources: {
      const start = r.start;
      r.advance();
      r.claim(obj, "resources");
      const resources: Obj = {};
      obj["resources"] = resources;
      const resourcesRow = r.row(row, "resources");
      resources["tunnels"] = grantNode(r, r.row(resourcesRow, "tunnels"));
      r.span(resourcesRow, start, r.lastEnd);
      return;
    }
    default:
      throw GIVE_UP;
  }
};

/*
 * One-member objects are written as literals for each key (`{ OR: … }`), not with a computed
 * key: a literal is allocated from its template, a computed key is a keyed definition per object.
 */

/**
 * `any { … }` → `{OR: […]}`, `all { … }` → `{AND: […]}`, `scope { … }` → a leaf, with its
 * span at `row`. After it, `lastEnd` is the node's end.
 */
function grantNode(r: DirectReader, row: number): Obj {
  const start = r.start;
  if (r.is(t.Combinator)) {
    const op = r.takeImage(t.Combinator) === "any" ? "OR" : "AND";
    r.take(t.LCurly);
    const listRow = r.row(row, op);
    const values: Obj[] = [];
    while (r.type !== t.RCurly) values.push(grantNode(r, r.row(listRow, values.length)));
    r.take(t.RCurly);
    r.span(listRow, start, r.lastEnd);
    r.span(row, start, r.lastEnd);
    return op === "OR" ? { OR: values } : { AND: values };
  }
  r.take(t.Scope);
  r.take(t.LCurly);
  const leaf = new ScopeLeaf(row);
  while (r.type !== t.RCurly) {
    if (r.type === t.Workspaces || r.type === t.Projects) {
      setting(r, leaf.obj, row, scopeKeys, t.LSquare);
    } else {
      action(r, leaf);
    }
  }
  r.take(t.RCurly);
  r.span(row, start, r.lastEnd);
  return leaf.obj;
}

/** A `scope { … }` leaf: its object and, once an action wrote it, `scopes.tunnels`. */
class ScopeLeaf {
  readonly obj: Obj = {};
  readonly row: number;
  tunnels: Obj | undefined;
  tunnelsRow = 0;

  constructor(row: number) {
    this.row = row;
  }
}

/** `connect` (true), `connect off` (false), or the action object, in `scopes.tunnels`. */
function action(r: DirectReader, leaf: ScopeLeaf): void {
  const start = r.start;
  const kind = r.takeImage(t.ActionKind);
  // The first action makes `scopes` and `scopes.tunnels`, with its own span.
  let scopesRow = -1;
  let tunnels = leaf.tunnels;
  if (tunnels === undefined) {
    r.claim(leaf.obj, "scopes");
    tunnels = {};
    leaf.obj["scopes"] = { tunnels };
    scopesRow = r.row(leaf.row, "scopes");
    leaf.tunnels = tunnels;
    leaf.tunnelsRow = r.row(scopesRow, "tunnels");
  }
  r.claim(tunnels, kind);
  const actionRow = r.row(leaf.tunnelsRow, kind);
  let value: unknown;
  if (r.is(t.BoolValue)) {
    value = isTrue(r.takeImage(t.BoolValue));
    r.span(actionRow, r.lastStart, r.lastEnd);
  } else if (r.is(t.Where) || r.type === t.LCurly) {
    const obj: Obj = {};
    value = obj;
    if (r.option(t.Where)) {
      const filterStart = r.start;
      const filtersRow = r.row(actionRow, "filters");
      obj["filters"] = filter(r, filtersRow);
      r.span(filtersRow, filterStart, r.lastEnd);
      if (r.type === t.LCurly) actionBody(r, obj, actionRow);
    } else {
      actionBody(r, obj, actionRow);
    }
    r.span(actionRow, start, r.lastEnd);
  } else {
    value = true;
    r.span(actionRow, start, r.lastEnd);
  }
  tunnels[kind] = value;
  // `lastEnd` is the action's end: its body's, its filter's, its flag's or its keyword's.
  if (scopesRow >= 0) {
    r.span(scopesRow, start, r.lastEnd);
    r.span(leaf.tunnelsRow, start, r.lastEnd);
  }
}

/** `{ path … methods … select … params {} }` of an action. After it, `lastEnd` is its `}`'s. */
function actionBody(r: DirectReader, obj: Obj, row: number): void {
  r.take(t.LCurly);
  // `params`, made by the first statement that writes into it, with that statement's span.
  let params: Obj | undefined;
  let paramsRow = -1;
  while (r.type !== t.RCurly) {
    const type = r.type;
    const start = r.start;
    if (type === t.Select) {
      r.advance();
      r.putList(obj, row, "select");
      continue;
    }
    if (type !== t.Methods && type !== t.Path && type !== t.Params) throw GIVE_UP;
    const made = params === undefined;
    if (params === undefined) {
      r.claim(obj, "params");
      params = {};
      obj["params"] = params;
      paramsRow = r.row(row, "params");
    }
    r.advance();
    if (type === t.Methods) {
      r.putList(params, paramsRow, "methods");
    } else if (type === t.Path) {
      r.claim(params, "path");
      const pathRow = r.row(paramsRow, "path");
      params["path"] = pathValue(r, pathRow);
      r.span(pathRow, start, r.lastEnd);
    } else {
      r.take(t.LCurly);
      r.take(t.RCurly);
    }
    if (made) r.span(paramsRow, start, r.lastEnd);
  }
  r.take(t.RCurly);
}

/** `= "/x"` → the string; a string match → its object; `prefix|glob […]` → `{prefix|glob: […]}`. */
function pathValue(r: DirectReader, row: number): unknown {
  if (r.option(t.Eq)) return r.takeString();
  if (r.type === t.Prefix || r.type === t.Glob) {
    const op = r.type === t.Prefix ? "prefix" : "glob";
    r.advance();
    const values = listAt(r, row, op);
    return op === "prefix" ? { prefix: values } : { glob: values };
  }
  return stringMatch(r, row);
}

/** A list's values at member `key` of `row`, which gets the list's span. */
function listAt(r: DirectReader, row: number, key: string): string[] {
  const listRow = r.row(row, key);
  const values = r.listValues(listRow);
  r.span(listRow, r.lastStart, r.lastEnd);
  return values;
}

/** `== "x"` → `{exact}`, `~ "re"` → `{regex}`, `in […]` → `{oneof}`. */
function stringMatch(r: DirectReader, row: number): Obj {
  if (r.option(t.In)) return { oneof: listAt(r, row, "oneof") };
  if (r.type !== t.EqEq && r.type !== t.Tilde) throw GIVE_UP;
  const op = r.type === t.EqEq ? "exact" : "regex";
  r.advance();
  const valueRow = r.row(row, op);
  const start = r.start;
  const value = r.takeString();
  r.span(valueRow, start, r.lastEnd);
  return op === "exact" ? { exact: value } : { regex: value };
}

/**
 * `all(F, …)` / `any(F, …)`, `true`, or comparisons joined by `and`. After it, `lastEnd` is
 * the filter's end.
 */
function filter(r: DirectReader, row: number): Obj {
  if (r.is(t.Combinator)) {
    const op = r.takeImage(t.Combinator) === "any" ? "OR" : "AND";
    r.take(t.LParen);
    const listRow = r.row(row, op);
    const values: Obj[] = [];
    do {
      const itemRow = r.row(listRow, values.length);
      const start = r.start;
      values.push(filter(r, itemRow));
      r.span(itemRow, start, r.lastEnd);
    } while (r.option(t.Comma));
    r.take(t.RParen);
    return op === "OR" ? { OR: values } : { AND: values };
  }
  if (r.option(t.True)) return {};
  const fields: Obj = {};
  // `labels.key = …` writes into the filter's `labels` object, made by the first such.
  let labels: Obj | undefined;
  let labelsRow = -1;
  do {
    const start = r.start;
    let target = fields;
    let targetRow = row;
    let key: string;
    if (r.is(t.Labels)) {
      if (labels === undefined) {
        labels = {};
        labelsRow = r.put(fields, row, "labels", labels, r.start, r.end);
      }
      target = labels;
      targetRow = labelsRow;
      r.advance();
      r.take(t.Dot);
      key = r.takeKey();
    } else {
      key = r.takeImage(t.FilterField);
    }
    r.claim(target, key);
    const keyRow = r.row(targetRow, key);
    assign(target, key, r.option(t.Eq) ? filterValue(r, keyRow) : stringMatch(r, keyRow));
    r.span(keyRow, start, r.lastEnd);
  } while (r.option(t.And));
  return fields;
}

/** The right side of `=`: a string (exact), a boolean or a list (items at `row`). */
function filterValue(r: DirectReader, row: number): unknown {
  if (r.type === t.StringLiteral) return r.takeString();
  if (r.is(t.BoolValue)) return isTrue(r.takeImage(t.BoolValue));
  return r.listValues(row);
}
