/**
 * The typed CST visitor: turns a parsed policy file into the JSON document model, one statement
 * at a time, through a `DocumentWriter` that records spans. Values are taken as written (enum
 * images, strings, lists); the schema validator checks them afterwards.
 *
 * Runs only on a CST without recognition errors, so every token the grammar requires is
 * present; `one()` turns a missing one into an InternalError (a bug, not bad input).
 */
import type { CstNode, ICstVisitor, IToken } from "chevrotain";
import { policyParser } from "../../../grammar/parser.ts";
import type * as C from "../../../grammar/cst.d.ts";
import { InternalError } from "../../diagnostics/diagnostic.ts";
import type { Span } from "../../diagnostics/span.ts";
import { childPointer } from "../ast.ts";
import type { DocumentWriter, Target } from "./document-writer.ts";
import { duplicateProject, duplicateSetting, missingProject } from "./errors.ts";
import { stringValue } from "./literals.ts";

type Obj = Record<string, unknown>;

const BaseVisitor = policyParser.getBaseCstVisitorConstructor();

function one<T>(items: readonly T[] | undefined): T {
  const first = items?.[0];
  if (first === undefined) throw new InternalError("the CST lacks a token the grammar requires");
  return first;
}

const str = (token: IToken): string => stringValue(token.image);
const bool = (token: IToken): boolean => token.image === "on" || token.image === "true";
const at = (node: CstNode): number => node.location?.startOffset ?? 0;

/**
 * CST → document. Each method is named after its grammar rule (checked by `validateVisitor`)
 * and typed by the generated `grammar/cst.d.ts`; statement methods write into a `Target`.
 */
export class CstToDocument extends BaseVisitor {
  readonly #w: DocumentWriter;
  readonly #text: string;

  constructor(writer: DocumentWriter, text: string) {
    super();
    this.#w = writer;
    this.#text = text;
    this.validateVisitor();
  }

  policy(ctx: C.PolicyCstChildren): Obj {
    const w = this.#w;
    const doc: Obj = {};
    const root: Target = { obj: doc, ptr: "", at: 0 };
    w.mark("", { file: w.file, start: 0, end: this.#text.length });
    for (const node of ctx.schemaDecl ?? []) {
      const s = one(node.children.StringLike);
      w.put(
        { ...root, at: at(node) },
        "$schema",
        w.token(one(node.children.Schema)),
        str(s),
        w.token(s),
      );
    }
    const [project, ...extra] = ctx.projectBlock ?? [];
    if (project === undefined) w.bag.add(missingProject(this.#firstBlockHead(ctx)));
    else this.#block(root, "project", project, (t) => this.projectBlock(project.children, t));
    for (const node of extra) {
      const first = project === undefined ? w.node(node) : w.token(one(project.children.Project));
      w.bag.add(duplicateProject(w.token(one(node.children.Project)), first));
    }
    this.#blocks(doc, "tunnels", ctx.tunnelBlock, (n, t) => this.tunnelBlock(n.children, t));
    this.#blocks(doc, "grants", ctx.grantBlock, (n, t) => this.grantBlock(n.children, t));
    this.#blocks(doc, "credentials", ctx.credentialBlock, (n, t) =>
      this.credentialBlock(n.children, t),
    );
    this.#blocks(doc, "tests", ctx.testBlock, (n, t) => this.testBlock(n.children, t));
    return doc;
  }

  /** Where to point when the project is missing: the first block's keyword, or the start. */
  #firstBlockHead(ctx: C.PolicyCstChildren): Span {
    const blocks: (readonly CstNode[] | undefined)[] = [ctx.tunnelBlock, ctx.grantBlock];
    blocks.push(ctx.credentialBlock, ctx.testBlock, ctx.schemaDecl);
    const heads = blocks
      .flatMap((nodes) => nodes ?? [])
      .map((node) => this.#w.node(node))
      .sort((a, b) => a.start - b.start);
    const first = heads[0];
    if (first === undefined) return { file: this.#w.file, start: 0, end: 0 };
    const lineEnd = this.#text.indexOf("{", first.start);
    return { ...first, end: lineEnd < 0 || lineEnd > first.end ? first.end : lineEnd + 1 };
  }

  /** A top-level block written into `parent[key]`, with its end anchor for trailing comments. */
  #block(
    parent: Target,
    key: string,
    node: CstNode & { children: { RCurly: IToken[] } },
    fill: (t: Target) => void,
  ): void {
    const obj: Obj = {};
    const ptr = this.#w.put(
      { ...parent, at: at(node) },
      key,
      this.#w.node(node),
      obj,
      this.#w.node(node),
    );
    if (ptr === undefined) return;
    fill({ obj, ptr, at: at(node) });
    this.#w.anchor(`${ptr}#end`, one(node.children.RCurly).startOffset);
  }

  #blocks<N extends CstNode & { children: { RCurly: IToken[] } }>(
    doc: Obj,
    key: string,
    nodes: readonly N[] | undefined,
    fill: (node: N, target: Target) => void,
  ): void {
    if (nodes === undefined || nodes.length === 0) return;
    const items: Obj[] = [];
    doc[key] = items;
    nodes.forEach((node, i) => {
      const obj: Obj = {};
      const ptr = childPointer(`/${key}`, i);
      items.push(obj);
      this.#w.mark(ptr, this.#w.node(node));
      this.#w.anchor(ptr, at(node));
      fill(node, { obj, ptr, at: at(node) });
      this.#w.anchor(`${ptr}#end`, one(node.children.RCurly).startOffset);
    });
  }

  /** Sets the block's identifier (`project "acme"`, `tunnel "api"` …) at `key`. */
  #id(t: Target, key: string, keyword: IToken, name: IToken): void {
    this.#w.put(t, key, this.#w.token(keyword), str(name), this.#w.token(name));
  }

  /** Writes `key` from a statement: keyword token, value, and the value's span. */
  #set(
    t: Target,
    node: CstNode,
    key: string,
    keyword: IToken,
    value: unknown,
    span: Span,
  ): string | undefined {
    return this.#w.put(
      { ...t, at: at(node) },
      key,
      this.#w.token(keyword),
      value,
      span,
      `\`${keyword.image}\``,
    );
  }

  #setString(t: Target, node: CstNode, key: string, keyword: IToken, value: IToken): void {
    this.#set(t, node, key, keyword, str(value), this.#w.token(value));
  }

  #setWord(t: Target, node: CstNode, key: string, keyword: IToken, value: IToken): void {
    this.#set(t, node, key, keyword, value.image, this.#w.token(value));
  }

  #setBool(t: Target, node: CstNode, key: string, keyword: IToken, value: IToken): void {
    this.#set(t, node, key, keyword, bool(value), this.#w.token(value));
  }

  #setList(t: Target, node: CstNode, key: string, keyword: IToken, list: C.ListCstNode): void {
    const ptr = childPointer(t.ptr, key);
    const values = this.list(list.children, ptr);
    this.#set(t, node, key, keyword, values, this.#w.node(list));
  }

  // ------------------------------------------------------------------ project

  schemaDecl(): void {
    // Handled in `policy`, which owns the document root.
  }

  projectBlock(ctx: C.ProjectBlockCstChildren, t: Target): void {
    this.#id(t, "id", one(ctx.Project), one(ctx.StringLike));
    for (const s of ctx.projectStatement ?? []) this.projectStatement(s.children, t, s);
  }

  projectStatement(ctx: C.ProjectStatementCstChildren, t: Target, node: CstNode): void {
    if (ctx.Name) this.#setString(t, node, "name", one(ctx.Name), one(ctx.StringLike));
    else if (ctx.Workspace)
      this.#setString(t, node, "workspace", one(ctx.Workspace), one(ctx.StringLike));
    else if (ctx.Plan) this.#setWord(t, node, "plan", one(ctx.Plan), one(ctx.PlanValue));
    else if (ctx.PublicAccess) {
      this.#setWord(t, node, "public_access", one(ctx.PublicAccess), one(ctx.AccessValue));
    } else {
      const edge = one(ctx.edgeStatement);
      this.edgeStatement(edge.children, t, edge);
    }
  }

  edgeStatement(ctx: C.EdgeStatementCstChildren, t: Target, node: CstNode): void {
    if (ctx.TrustedIps) this.#setList(t, node, "trusted_ips", one(ctx.TrustedIps), one(ctx.list));
    else if (ctx.GeoIp) this.#setList(t, node, "geo_ip", one(ctx.GeoIp), one(ctx.list));
    else if (ctx.TlsMin)
      this.#setWord(t, node, "tls_min_version", one(ctx.TlsMin), one(ctx.TlsVersionValue));
    else if (ctx.Ech) this.#setWord(t, node, "ech", one(ctx.Ech), one(ctx.FeatureModeValue));
    else this.#postQuantum(ctx, t, node);
  }

  #postQuantum(ctx: C.EdgeStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.#w;
    const mode = one(ctx.FeatureModeValue);
    const value: Obj = { mode: mode.image };
    const ptr = this.#set(t, node, "post_quantum", one(ctx.PostQuantum), value, w.node(node));
    if (ptr === undefined) return;
    w.mark(childPointer(ptr, "mode"), w.token(mode));
    if (ctx.Fips) {
      const flag = ctx.BoolValue?.[0];
      value["fips"] = flag === undefined ? true : bool(flag);
      w.mark(childPointer(ptr, "fips"), w.token(flag ?? one(ctx.Fips)));
    }
  }

  // ------------------------------------------------------------------ tunnels

  tunnelBlock(ctx: C.TunnelBlockCstChildren, t: Target): void {
    this.#id(t, "id", one(ctx.Tunnel), one(ctx.StringLike));
    for (const s of ctx.tunnelStatement ?? []) this.tunnelStatement(s.children, t, s);
  }

  // A flat dispatch over the statement keywords: one branch per statement, nothing nested.
  tunnelStatement(ctx: C.TunnelStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.#w;
    if (ctx.Name) this.#setString(t, node, "name", one(ctx.Name), one(ctx.StringLike));
    else if (ctx.labelsBlock) this.labelsBlock(one(ctx.labelsBlock).children, t, node);
    else if (ctx.Protocol)
      this.#setWord(t, node, "protocol", one(ctx.Protocol), one(ctx.ProtocolValue));
    else if (ctx.Hosts) this.#setList(t, node, "hostname", one(ctx.Hosts), one(ctx.list));
    else if (ctx.Public)
      this.#set(t, node, "publish", one(ctx.Public), true, w.token(one(ctx.Public)));
    else if (ctx.Private)
      this.#set(t, node, "publish", one(ctx.Private), false, w.token(one(ctx.Private)));
    else if (ctx.Upstream)
      this.#setString(t, node, "upstream", one(ctx.Upstream), one(ctx.StringLike));
    else if (ctx.authStatement) this.authStatement(one(ctx.authStatement).children, t, node);
    else if (ctx.TokenAuth)
      this.#setBool(t, node, "token_auth", one(ctx.TokenAuth), one(ctx.BoolValue));
    else if (ctx.RstreamAuth)
      this.#setBool(t, node, "rstream_auth", one(ctx.RstreamAuth), one(ctx.BoolValue));
    else if (ctx.Mtls) this.#mtls(ctx, t, node);
    else if (ctx.Challenge)
      this.#setBool(t, node, "challenge_mode", one(ctx.Challenge), one(ctx.BoolValue));
    else if (ctx.ForwardAuthorization) {
      this.#setBool(
        t,
        node,
        "forward_authorization",
        one(ctx.ForwardAuthorization),
        one(ctx.BoolValue),
      );
    } else if (ctx.allowUsersBlock)
      this.allowUsersBlock(one(ctx.allowUsersBlock).children, t, node);
    else {
      const edge = one(ctx.edgeStatement);
      this.edgeStatement(edge.children, t, edge);
    }
  }

  #mtls(ctx: C.TunnelStatementCstChildren, t: Target, node: CstNode): void {
    const ca = one(ctx.StringLike);
    const ptr = this.#set(t, node, "mtls_auth", one(ctx.Mtls), { ca: str(ca) }, this.#w.node(node));
    if (ptr !== undefined) this.#w.mark(childPointer(ptr, "ca"), this.#w.token(ca));
  }

  labelsBlock(ctx: C.LabelsBlockCstChildren, t: Target, node: CstNode): void {
    const labels: Obj = {};
    const ptr = this.#set(t, node, "labels", one(ctx.Labels), labels, this.#w.node(node));
    if (ptr === undefined) return;
    const target: Target = { obj: labels, ptr, at: at(node) };
    for (const entry of ctx.labelEntry ?? []) this.labelEntry(entry.children, target);
  }

  labelEntry(ctx: C.LabelEntryCstChildren, t: Target): void {
    const keyNode = one(ctx.key);
    const value = one(ctx.StringLike);
    const key = this.key(keyNode.children);
    this.#w.put(
      t,
      key,
      this.#w.node(keyNode),
      str(value),
      this.#w.token(value),
      `label \`${key}\``,
    );
  }

  key(ctx: C.KeyCstChildren): string {
    return ctx.Word ? one(ctx.Word).image : str(one(ctx.StringLike));
  }

  authStatement(ctx: C.AuthStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.#w;
    const keyword = one(ctx.Auth);
    if (ctx.None) {
      const span = w.token(one(ctx.None));
      this.#set(t, node, "token_auth", keyword, false, span);
      this.#set(t, node, "rstream_auth", keyword, false, span);
      return;
    }
    for (const modes of [ctx.Token, ctx.RstreamAuthMode]) {
      const [first, second] = modes ?? [];
      if (first !== undefined && second !== undefined) {
        w.bag.add(
          duplicateSetting(w.token(second), `auth mode \`${first.image}\``, w.token(first)),
        );
      }
    }
    const token = ctx.Token?.[0];
    const rstream = ctx.RstreamAuthMode?.[0];
    this.#set(t, node, "token_auth", keyword, token !== undefined, w.token(token ?? keyword));
    this.#set(t, node, "rstream_auth", keyword, rstream !== undefined, w.token(rstream ?? keyword));
  }

  allowUsersBlock(ctx: C.AllowUsersBlockCstChildren, t: Target, node: CstNode): void {
    const allow: Obj = {};
    const ptr = this.#set(
      t,
      node,
      "rstream_auth_allow",
      one(ctx.AllowUsers),
      allow,
      this.#w.node(node),
    );
    if (ptr === undefined) return;
    const target: Target = { obj: allow, ptr, at: at(node) };
    for (const s of ctx.allowUsersStatement ?? []) this.allowUsersStatement(s.children, target, s);
  }

  allowUsersStatement(ctx: C.AllowUsersStatementCstChildren, t: Target, node: CstNode): void {
    const keyword = one(ctx.Emails ?? ctx.Domains ?? ctx.Groups);
    this.#setList(t, node, keyword.image, keyword, one(ctx.list));
  }

  // ------------------------------------------------------------------ grants

  grantBlock(ctx: C.GrantBlockCstChildren, t: Target): void {
    this.#id(t, "name", one(ctx.Grant), one(ctx.StringLike));
    for (const s of ctx.grantStatement ?? []) this.grantStatement(s.children, t, s);
  }

  grantStatement(ctx: C.GrantStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.#w;
    if (ctx.Type) this.#setWord(t, node, "type", one(ctx.Type), one(ctx.TokenTypeValue));
    else if (ctx.Parent) this.#setString(t, node, "parent", one(ctx.Parent), one(ctx.StringLike));
    else if (ctx.Expires)
      this.#setString(t, node, "expires_at", one(ctx.Expires), one(ctx.StringLike));
    else if (ctx.Permissions && ctx.All) {
      this.#set(t, node, "permissions", one(ctx.Permissions), null, w.token(one(ctx.All)));
    } else if (ctx.Permissions)
      this.#setList(t, node, "permissions", one(ctx.Permissions), one(ctx.list));
    else {
      const tree = one(ctx.grantNode);
      const resources: Obj = {};
      const ptr = this.#set(t, node, "resources", one(ctx.Resources), resources, w.node(node));
      if (ptr === undefined) return;
      const treePtr = childPointer(ptr, "tunnels");
      resources["tunnels"] = this.grantNode(tree.children, treePtr, tree);
      w.mark(treePtr, w.node(tree));
    }
  }

  grantNode(ctx: C.GrantNodeCstChildren, ptr: string, node: CstNode): Obj {
    const w = this.#w;
    w.anchor(ptr, at(node));
    w.anchor(`${ptr}#end`, one(ctx.RCurly).startOffset);
    if (ctx.Combinator) {
      const op = one(ctx.Combinator).image === "any" ? "OR" : "AND";
      const listPtr = childPointer(ptr, op);
      w.mark(listPtr, w.node(node));
      const children = (ctx.grantNode ?? []).map((child, i) => {
        const childPtr = childPointer(listPtr, i);
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
    if (ctx.Workspaces) this.#setList(t, node, "workspaces", one(ctx.Workspaces), one(ctx.list));
    else if (ctx.Projects) this.#setList(t, node, "projects", one(ctx.Projects), one(ctx.list));
    else {
      const action = one(ctx.actionStatement);
      const span = this.#w.node(action);
      const scopes = this.#w.child({ ...t, at: at(node) }, "scopes", span);
      const tunnels = this.#w.child(scopes, "tunnels", span);
      this.actionStatement(action.children, { ...tunnels, at: at(node) }, action);
    }
  }

  actionStatement(ctx: C.ActionStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.#w;
    const kind = one(ctx.ActionKind);
    if (ctx.BoolValue) return this.#setBool(t, node, kind.image, kind, one(ctx.BoolValue));
    if (!ctx.Where && !ctx.actionBody) {
      this.#set(t, node, kind.image, kind, true, w.token(kind));
      return;
    }
    const action: Obj = {};
    const ptr = this.#set(t, node, kind.image, kind, action, w.node(node));
    if (ptr === undefined) return;
    const target: Target = { obj: action, ptr, at: at(node) };
    if (ctx.filter) {
      const filter = one(ctx.filter);
      this.#w.put(
        target,
        "filters",
        w.token(one(ctx.Where)),
        this.filter(filter.children, childPointer(ptr, "filters")),
        w.node(filter),
      );
    }
    for (const body of ctx.actionBody ?? []) this.actionBody(body.children, target);
  }

  actionBody(ctx: C.ActionBodyCstChildren, t: Target): void {
    this.#w.anchor(`${t.ptr}#end`, one(ctx.RCurly).startOffset);
    for (const s of ctx.actionBodyStatement ?? []) this.actionBodyStatement(s.children, t, s);
  }

  actionBodyStatement(ctx: C.ActionBodyStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.#w;
    const here: Target = { ...t, at: at(node) };
    if (ctx.Select) return this.#setList(t, node, "select", one(ctx.Select), one(ctx.list));
    const params = w.child(here, "params", w.node(node));
    if (ctx.Methods) this.#setList(params, node, "methods", one(ctx.Methods), one(ctx.list));
    else if (ctx.pathStatement) {
      const path = one(ctx.pathStatement);
      const ptr = childPointer(params.ptr, "path");
      const value = this.pathStatement(path.children, ptr);
      this.#set(params, node, "path", one(path.children.Path), value, w.node(path));
    }
  }

  pathStatement(ctx: C.PathStatementCstChildren, ptr: string): unknown {
    const w = this.#w;
    if (ctx.Eq) return str(one(ctx.StringLike));
    if (ctx.stringMatch) return this.stringMatch(one(ctx.stringMatch).children, ptr);
    const op = ctx.Prefix ? "prefix" : "glob";
    const list = one(ctx.list);
    w.mark(childPointer(ptr, op), w.node(list));
    return { [op]: this.list(list.children, childPointer(ptr, op)) };
  }

  stringMatch(ctx: C.StringMatchCstChildren, ptr: string): Obj {
    const w = this.#w;
    if (ctx.In) {
      const list = one(ctx.list);
      w.mark(childPointer(ptr, "oneof"), w.node(list));
      return { oneof: this.list(list.children, childPointer(ptr, "oneof")) };
    }
    const op = ctx.EqEq ? "exact" : "regex";
    const value = one(ctx.StringLike);
    w.mark(childPointer(ptr, op), w.token(value));
    return { [op]: str(value) };
  }

  filter(ctx: C.FilterCstChildren, ptr: string): Obj {
    const w = this.#w;
    if (ctx.Combinator) {
      const op = one(ctx.Combinator).image === "any" ? "OR" : "AND";
      const listPtr = childPointer(ptr, op);
      const items = (ctx.filter ?? []).map((f, i) => {
        const itemPtr = childPointer(listPtr, i);
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
    const w = this.#w;
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
    const ptr = childPointer(target.ptr, key);
    const value = ctx.filterValue
      ? this.filterValue(one(ctx.filterValue).children, ptr)
      : this.stringMatch(one(ctx.stringMatch).children, ptr);
    const what = ctx.Labels ? `label \`${key}\`` : `filter field \`${key}\``;
    w.put(target, key, keySpan, value, w.node(node), what);
  }

  filterValue(ctx: C.FilterValueCstChildren, ptr: string): unknown {
    if (ctx.StringLike) return str(one(ctx.StringLike));
    if (ctx.BoolValue) return bool(one(ctx.BoolValue));
    return this.list(one(ctx.list).children, ptr);
  }

  // ------------------------------------------------------------------ credentials

  credentialBlock(ctx: C.CredentialBlockCstChildren, t: Target): void {
    this.#id(t, "name", one(ctx.Credential), one(ctx.StringLike));
    for (const s of ctx.credentialStatement ?? []) this.credentialStatement(s.children, t, s);
  }

  credentialStatement(ctx: C.CredentialStatementCstChildren, t: Target, node: CstNode): void {
    const value = one(ctx.StringLike);
    if (ctx.SubjectCn) this.#setString(t, node, "subject_cn", one(ctx.SubjectCn), value);
    else if (ctx.Fingerprint)
      this.#setString(t, node, "fingerprint256", one(ctx.Fingerprint), value);
    else this.#setString(t, node, "grant", one(ctx.Grant), value);
  }

  // ------------------------------------------------------------------ policy tests

  testBlock(ctx: C.TestBlockCstChildren, t: Target): void {
    this.#id(t, "name", one(ctx.Test), one(ctx.StringLike));
    for (const r of ctx.requestStatement ?? []) this.requestStatement(r.children, t, r);
    for (const e of ctx.expectStatement ?? []) this.expectStatement(e.children, t, e);
  }

  requestStatement(ctx: C.RequestStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.#w;
    const request: Obj = {};
    const ptr = this.#set(t, node, "request", one(ctx.Request), request, w.node(node));
    if (ptr === undefined) return;
    const r: Target = { obj: request, ptr, at: at(node) };
    const method = ctx.Word?.[0];
    if (method !== undefined) w.put(r, "method", w.token(method), method.image, w.token(method));
    const url = one(ctx.StringLike);
    w.put(r, "url", w.token(url), str(url), w.token(url));
    const ip = one(ctx.listItem);
    w.put(r, "client_ip", w.token(one(ctx.From)), this.listItem(ip.children), w.node(ip));
    if (ctx.Country) {
      const country = one(ctx.key);
      w.put(r, "country", w.token(one(ctx.Country)), this.key(country.children), w.node(country));
    }
    if (ctx.RCurly) w.anchor(`${ptr}#end`, one(ctx.RCurly).startOffset);
    for (const d of ctx.requestDetail ?? []) this.requestDetail(d.children, r, d);
  }

  requestDetail(ctx: C.RequestDetailCstChildren, t: Target, node: CstNode): void {
    const w = this.#w;
    const here: Target = { ...t, at: at(node) };
    if (ctx.tokenStatement) {
      const token = one(ctx.tokenStatement);
      const ptr = childPointer(t.ptr, "token");
      this.#set(
        t,
        node,
        "token",
        one(token.children.Token),
        this.tokenStatement(token.children, ptr),
        w.node(token),
      );
    } else if (ctx.Header) {
      const [name, value] = ctx.StringLike ?? [];
      if (name === undefined || value === undefined)
        throw new InternalError("header without name or value");
      const headers = w.child(here, "headers", w.node(node));
      w.put(
        { ...headers, at: at(node) },
        str(name),
        w.token(name),
        str(value),
        w.token(value),
        `header ${name.image}`,
      );
    } else if (ctx.Challenge) {
      this.#setWord(t, node, "challenge_cookie", one(ctx.Challenge), one(ctx.CookieStateValue));
    } else if (ctx.sessionBlock) {
      this.#nested(here, node, "session", one(ctx.sessionBlock), (n, target) => {
        for (const s of n.children.sessionStatement ?? [])
          this.sessionStatement(s.children, target, s);
      });
    } else {
      this.#nested(here, node, "tls", one(ctx.tlsBlock), (n, target) => {
        for (const s of n.children.tlsStatement ?? []) this.tlsStatement(s.children, target, s);
      });
    }
  }

  /** A one-line block such as `session { … }` written into `t.obj[key]`. */
  #nested<N extends CstNode>(
    t: Target,
    node: CstNode,
    key: string,
    block: N,
    fill: (n: N, t: Target) => void,
  ): void {
    const obj: Obj = {};
    const keyword = block.children[key === "tls" ? "Tls" : "Session"];
    const keyToken = Array.isArray(keyword) ? (keyword[0] as IToken | undefined) : undefined;
    const keySpan = keyToken === undefined ? this.#w.node(block) : this.#w.token(keyToken);
    const ptr = this.#w.put(t, key, keySpan, obj, this.#w.node(node), `\`${key}\``);
    if (ptr !== undefined) fill(block, { obj, ptr, at: at(node) });
  }

  tokenStatement(ctx: C.TokenStatementCstChildren, ptr: string): Obj {
    const w = this.#w;
    const token: Obj = {};
    if (ctx.Grant) {
      const name = one(ctx.StringLike);
      token["grant"] = str(name);
      w.mark(childPointer(ptr, "grant"), w.token(name));
    } else {
      const kind = one(ctx.InvalidTokenValue);
      token["invalid"] = kind.image;
      w.mark(childPointer(ptr, "invalid"), w.token(kind));
    }
    if (ctx.TokenPlaceValue) {
      const place = one(ctx.TokenPlaceValue);
      token["in"] = place.image;
      w.mark(childPointer(ptr, "in"), w.token(place));
    }
    return token;
  }

  sessionBlock(): void {
    // Visited through `requestDetail` (`#nested`), which owns the `session` property.
  }

  sessionStatement(ctx: C.SessionStatementCstChildren, t: Target, node: CstNode): void {
    if (ctx.Groups) return this.#setList(t, node, "groups", one(ctx.Groups), one(ctx.list));
    const keyword = one(ctx.User ?? ctx.Email ?? ctx.Name);
    const key = ctx.User ? "user_id" : keyword.image;
    this.#setString(t, node, key, keyword, one(ctx.StringLike));
  }

  tlsBlock(): void {
    // Visited through `requestDetail` (`#nested`), which owns the `tls` property.
  }

  tlsStatement(ctx: C.TlsStatementCstChildren, t: Target, node: CstNode): void {
    if (ctx.Version) this.#setWord(t, node, "version", one(ctx.Version), one(ctx.TlsVersionValue));
    else if (ctx.Group) this.#setString(t, node, "group", one(ctx.Group), one(ctx.StringLike));
    else if (ctx.Ech) this.#setBool(t, node, "ech", one(ctx.Ech), one(ctx.BoolValue));
    else this.#setString(t, node, "client_cert", one(ctx.ClientCert), one(ctx.StringLike));
  }

  expectStatement(ctx: C.ExpectStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.#w;
    const expect: Obj = {};
    const ptr = this.#set(t, node, "expect", one(ctx.Expect), expect, w.node(node));
    if (ptr === undefined) return;
    const field = (
      key: string,
      token: IToken | undefined,
      value: (tok: IToken) => unknown,
    ): void => {
      if (token === undefined) return;
      expect[key] = value(token);
      w.mark(childPointer(ptr, key), w.token(token));
    };
    field("outcome", one(ctx.OutcomeValue), (tok) => tok.image);
    field("status", ctx.NumberLiteral?.[0], (tok) => Number(tok.image));
    field("reason", ctx.ReasonValue?.[0], (tok) => tok.image);
    field("policy", ctx.PolicyKindValue?.[0], (tok) => tok.image);
  }

  // ------------------------------------------------------------------ lists

  list(ctx: C.ListCstChildren, ptr: string): string[] {
    return (ctx.listItem ?? []).map((item, i) => {
      this.#w.mark(childPointer(ptr, i), this.#w.node(item));
      return this.listItem(item.children);
    });
  }

  listItem(ctx: C.ListItemCstChildren): string {
    if (ctx.StringLike) return str(one(ctx.StringLike));
    return one(ctx.IPv4 ?? ctx.IPv6 ?? ctx.Word ?? ctx.PermissionValue).image;
  }
}

// The generated visitor interface types every method `(children, param?) => OUT`; these methods
// take their own parameters and return types, so the class cannot `implement` it. Instead:
// every grammar rule must have a method here (validateVisitor checks the same at run time).
type RuleName = Exclude<
  keyof C.PolicyCstVisitor<never, unknown>,
  keyof ICstVisitor<never, unknown>
>;
const everyRuleVisited: RuleName extends keyof CstToDocument ? true : never = true;
void everyRuleVisited;
