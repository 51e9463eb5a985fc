/** CST visitor rules for grant blocks: the resource tree (S-T3), actions and filters (S-T4). */
import type { CstNode } from "chevrotain";
import type * as C from "../../../grammar/cst.d.ts";
import type { Span } from "../../diagnostics/span.ts";
import type { SpanNode } from "../span-tree.ts";
import type { Target } from "./document-writer.ts";
import { SettingsVisitor } from "./visit-settings.ts";
import { at, one, str, bool } from "./visit-base.ts";
import type { Obj } from "./visit-base.ts";

/** Rules for the `grant` blocks. */
export class GrantsVisitor extends SettingsVisitor {
  // ------------------------------------------------------------------ grants

  grantBlock(ctx: C.GrantBlockCstChildren, t: Target): void {
    this.id(t, "name", one(ctx.Grant), one(ctx.StringLike));
    for (const s of ctx.grantStatement ?? []) this.grantStatement(s.children, t, s);
  }

  grantStatement(ctx: C.GrantStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.w;
    if (ctx.Type) this.setWord(t, node, "type", one(ctx.Type), one(ctx.TokenTypeValue));
    else if (ctx.Parent) this.setString(t, node, "parent", one(ctx.Parent), one(ctx.StringLike));
    else if (ctx.Expires)
      this.setString(t, node, "expires_at", one(ctx.Expires), one(ctx.StringLike));
    else if (ctx.Permissions && ctx.All) {
      this.set(t, node, "permissions", one(ctx.Permissions), null, w.token(one(ctx.All)));
    } else if (ctx.Permissions)
      this.setList(t, node, "permissions", one(ctx.Permissions), one(ctx.list));
    else {
      const tree = one(ctx.grantNode);
      const resources: Obj = {};
      const ptr = this.set(t, node, "resources", one(ctx.Resources), resources, w.node(node));
      if (ptr === undefined) return;
      const treePtr = ptr.child("tunnels");
      resources["tunnels"] = this.grantNode(tree.children, treePtr, tree);
      w.mark(treePtr, w.node(tree));
    }
  }

  grantNode(ctx: C.GrantNodeCstChildren, ptr: SpanNode, node: CstNode): Obj {
    const w = this.w;
    w.anchor(ptr, at(node));
    w.anchor(ptr, one(ctx.RCurly).startOffset, true);
    if (ctx.Combinator) {
      const op = one(ctx.Combinator).image === "any" ? "OR" : "AND";
      const listPtr = ptr.child(op);
      w.mark(listPtr, w.node(node));
      const children = (ctx.grantNode ?? []).map((child, i) => {
        const childPtr = listPtr.child(i);
        w.mark(childPtr, w.node(child));
        return this.grantNode(child.children, childPtr, child);
      });
      return { [op]: children };
    }
    const leaf: Obj = {};
    const target: Target = { obj: leaf, ptr, at: at(node) };
    for (const s of ctx.scopeStatement ?? []) this.scopeStatement(s.children, target, s);
    return leaf;
  }

  scopeStatement(ctx: C.ScopeStatementCstChildren, t: Target, node: CstNode): void {
    if (ctx.Workspaces) this.setList(t, node, "workspaces", one(ctx.Workspaces), one(ctx.list));
    else if (ctx.Projects) this.setList(t, node, "projects", one(ctx.Projects), one(ctx.list));
    else {
      const action = one(ctx.actionStatement);
      const span = this.w.node(action);
      const scopes = this.w.child({ ...t, at: at(node) }, "scopes", span);
      const tunnels = this.w.child(scopes, "tunnels", span);
      this.actionStatement(action.children, { ...tunnels, at: at(node) }, action);
    }
  }

  actionStatement(ctx: C.ActionStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.w;
    const kind = one(ctx.ActionKind);
    if (ctx.BoolValue) return this.setBool(t, node, kind.image, kind, one(ctx.BoolValue));
    if (!ctx.Where && !ctx.actionBody) {
      this.set(t, node, kind.image, kind, true, w.token(kind));
      return;
    }
    const action: Obj = {};
    const ptr = this.set(t, node, kind.image, kind, action, w.node(node));
    if (ptr === undefined) return;
    const target: Target = { obj: action, ptr, at: at(node) };
    if (ctx.filter) {
      const filter = one(ctx.filter);
      this.w.put(
        target,
        "filters",
        w.token(one(ctx.Where)),
        this.filter(filter.children, ptr.child("filters")),
        w.node(filter),
      );
    }
    for (const body of ctx.actionBody ?? []) this.actionBody(body.children, target);
  }

  actionBody(ctx: C.ActionBodyCstChildren, t: Target): void {
    this.w.anchor(t.ptr, one(ctx.RCurly).startOffset, true);
    for (const s of ctx.actionBodyStatement ?? []) this.actionBodyStatement(s.children, t, s);
  }

  actionBodyStatement(ctx: C.ActionBodyStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.w;
    const here: Target = { ...t, at: at(node) };
    if (ctx.Select) return this.setList(t, node, "select", one(ctx.Select), one(ctx.list));
    const params = w.child(here, "params", w.node(node));
    if (ctx.Methods) this.setList(params, node, "methods", one(ctx.Methods), one(ctx.list));
    else if (ctx.pathStatement) {
      const path = one(ctx.pathStatement);
      const ptr = params.ptr.child("path");
      const value = this.pathStatement(path.children, ptr);
      this.set(params, node, "path", one(path.children.Path), value, w.node(path));
    }
  }

  pathStatement(ctx: C.PathStatementCstChildren, ptr: SpanNode): unknown {
    const w = this.w;
    if (ctx.Eq) return str(one(ctx.StringLike));
    if (ctx.stringMatch) return this.stringMatch(one(ctx.stringMatch).children, ptr);
    const op = ctx.Prefix ? "prefix" : "glob";
    const list = one(ctx.list);
    w.mark(ptr.child(op), w.node(list));
    return { [op]: this.list(list.children, ptr.child(op)) };
  }

  stringMatch(ctx: C.StringMatchCstChildren, ptr: SpanNode): Obj {
    const w = this.w;
    if (ctx.In) {
      const list = one(ctx.list);
      w.mark(ptr.child("oneof"), w.node(list));
      return { oneof: this.list(list.children, ptr.child("oneof")) };
    }
    const op = ctx.EqEq ? "exact" : "regex";
    const value = one(ctx.StringLike);
    w.mark(ptr.child(op), w.token(value));
    return { [op]: str(value) };
  }

  filter(ctx: C.FilterCstChildren, ptr: SpanNode): Obj {
    const w = this.w;
    if (ctx.Combinator) {
      const op = one(ctx.Combinator).image === "any" ? "OR" : "AND";
      const listPtr = ptr.child(op);
      const items = (ctx.filter ?? []).map((f, i) => {
        const itemPtr = listPtr.child(i);
        w.mark(itemPtr, w.node(f));
        return this.filter(f.children, itemPtr);
      });
      return { [op]: items };
    }
    const fields: Obj = {};
    for (const c of ctx.comparison ?? [])
      this.comparison(c.children, { obj: fields, ptr, at: at(c) }, c);
    return fields;
  }

  comparison(ctx: C.ComparisonCstChildren, t: Target, node: CstNode): void {
    const w = this.w;
    let target = t;
    let key: string;
    let keySpan: Span;
    if (ctx.Labels) {
      const keyNode = one(ctx.key);
      target = w.child(t, "labels", w.token(one(ctx.Labels)));
      key = this.key(keyNode.children);
      keySpan = w.node(keyNode);
    } else {
      const field = one(ctx.FilterField);
      key = field.image;
      keySpan = w.token(field);
    }
    const ptr = target.ptr.child(key);
    const value = ctx.filterValue
      ? this.filterValue(one(ctx.filterValue).children, ptr)
      : this.stringMatch(one(ctx.stringMatch).children, ptr);
    const what = ctx.Labels ? `label \`${key}\`` : `filter field \`${key}\``;
    w.put(target, key, keySpan, value, w.node(node), what);
  }

  filterValue(ctx: C.FilterValueCstChildren, ptr: SpanNode): unknown {
    if (ctx.StringLike) return str(one(ctx.StringLike));
    if (ctx.BoolValue) return bool(one(ctx.BoolValue));
    return this.list(one(ctx.list).children, ptr);
  }
}
