/**
 * The typed CST visitor: turns a parsed policy file into the JSON document model, one statement
 * at a time, through a `DocumentWriter` that records spans. Values are taken as written (enum
 * images, strings, lists); the schema validator checks them afterwards. The rules are spread
 * over a small class chain, one file per part of the language: `visit-base.ts` (helpers, lists),
 * `visit-settings.ts` (project, tunnels), `visit-grants.ts` (grants, filters), and this file
 * (the file root, credentials, policy tests).
 *
 * Runs only on a CST without recognition errors, so every token the grammar requires is
 * present; `one()` turns a missing one into an InternalError (a bug, not bad input).
 */
import type { CstNode, ICstVisitor, IToken } from "chevrotain";
import type * as C from "../../../grammar/cst.d.ts";
import { InternalError } from "../../diagnostics/diagnostic.ts";
import type { Span } from "../../diagnostics/span.ts";
import type { SpanNode } from "../span-tree.ts";
import type { DocumentWriter, Target } from "./document-writer.ts";
import { duplicateProject, missingProject } from "./errors.ts";
import { GrantsVisitor } from "./visit-grants.ts";
import { at, one, str } from "./visit-base.ts";
import type { Obj } from "./visit-base.ts";

/**
 * CST → document. Each method is named after its grammar rule (checked by `validateVisitor`)
 * and typed by the generated `grammar/cst.d.ts`; statement methods write into a `Target`.
 */
export class CstToDocument extends GrantsVisitor {
  readonly #doc: Obj = {};
  readonly #root: Target;
  /** The `project` keyword of the first project block, once one was visited. */
  #projectKeyword: Span | undefined;
  /** The `project` keywords of further project blocks (each an error). */
  readonly #extraProjects: Span[] = [];
  /** The first declaration that is not a project: where to point when the project is missing. */
  #firstHead: Span | undefined;

  constructor(writer: DocumentWriter, text: string) {
    super(writer, text);
    this.validateVisitor();
    this.#root = { obj: this.#doc, ptr: writer.spans.root, at: 0 };
    writer.mark(writer.spans.root, { file: writer.file, start: 0, end: text.length });
  }

  /** A whole file's CST at once; `declaration` + `finish` do the same one declaration at a time. */
  policy(ctx: C.PolicyCstChildren): Obj {
    const nodes: CstNode[] = [
      ...(ctx.schemaDecl ?? []),
      ...(ctx.projectBlock ?? []),
      ...(ctx.tunnelBlock ?? []),
      ...(ctx.grantBlock ?? []),
      ...(ctx.credentialBlock ?? []),
      ...(ctx.testBlock ?? []),
    ];
    nodes.sort((a, b) => at(a) - at(b));
    for (const node of nodes) this.declaration(node);
    return this.finish();
  }

  /** Writes one top-level declaration into the document (called in file order). */
  declaration(node: CstNode): void {
    const w = this.w;
    if (node.name !== "projectBlock") this.#firstHead ??= w.node(node);
    switch (node.name) {
      case "schemaDecl": {
        const { children } = node as C.SchemaDeclCstNode;
        const s = one(children.StringLike);
        w.bag.rank = 0;
        w.put(
          { ...this.#root, at: at(node) },
          "$schema",
          w.token(one(children.Schema)),
          str(s),
          w.token(s),
        );
        return;
      }
      case "projectBlock": {
        const project = node as C.ProjectBlockCstNode;
        const keyword = w.token(one(project.children.Project));
        if (this.#projectKeyword !== undefined) return void this.#extraProjects.push(keyword);
        this.#projectKeyword = keyword;
        w.bag.rank = 1;
        this.#block(this.#root, "project", project, (t) => this.projectBlock(project.children, t));
        return;
      }
      case "tunnelBlock":
        w.bag.rank = 2;
        return this.#item("tunnels", node as C.TunnelBlockCstNode, (n, t) =>
          this.tunnelBlock(n.children, t),
        );
      case "grantBlock":
        w.bag.rank = 3;
        return this.#item("grants", node as C.GrantBlockCstNode, (n, t) =>
          this.grantBlock(n.children, t),
        );
      case "credentialBlock":
        w.bag.rank = 4;
        return this.#item("credentials", node as C.CredentialBlockCstNode, (n, t) =>
          this.credentialBlock(n.children, t),
        );
      case "testBlock":
        w.bag.rank = 5;
        return this.#item("tests", node as C.TestBlockCstNode, (n, t) =>
          this.testBlock(n.children, t),
        );
      default:
        throw new InternalError(`\`${node.name}\` is not a top-level declaration`);
    }
  }

  /** The document, after the checks that need every declaration (one project). */
  finish(): Obj {
    const w = this.w;
    w.bag.rank = 1.5;
    if (this.#projectKeyword === undefined) w.bag.add(missingProject(this.#missingProjectSpan()));
    for (const extra of this.#extraProjects) {
      w.bag.add(duplicateProject(extra, this.#projectKeyword ?? extra));
    }
    // The document's keys in a fixed order, whatever order the file declared things in.
    const doc: Obj = {};
    for (const key of ["$schema", "project", "tunnels", "grants", "credentials", "tests"]) {
      if (Object.hasOwn(this.#doc, key)) doc[key] = this.#doc[key];
    }
    return doc;
  }

  /** Where to point when the project is missing: the first block's head line, or the start. */
  #missingProjectSpan(): Span {
    const first = this.#firstHead;
    if (first === undefined) return { file: this.w.file, start: 0, end: 0 };
    const lineEnd = this.text.indexOf("{", first.start);
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
    const ptr = this.w.put(
      { ...parent, at: at(node) },
      key,
      this.w.node(node),
      obj,
      this.w.node(node),
    );
    if (ptr === undefined) return;
    fill({ obj, ptr, at: at(node) });
    this.w.anchor(ptr, one(node.children.RCurly).startOffset, true);
  }

  /** The next item of the top-level list `key` (`tunnels`, `grants` …). */
  #item<N extends CstNode & { children: { RCurly: IToken[] } }>(
    key: string,
    node: N,
    fill: (node: N, target: Target) => void,
  ): void {
    const items = (this.#doc[key] ??= []) as Obj[];
    const obj: Obj = {};
    const ptr = this.w.spans.root.child(key).child(items.length);
    items.push(obj);
    this.w.mark(ptr, this.w.node(node));
    this.w.anchor(ptr, at(node));
    fill(node, { obj, ptr, at: at(node) });
    this.w.anchor(ptr, one(node.children.RCurly).startOffset, true);
  }

  // ------------------------------------------------------------------ credentials

  credentialBlock(ctx: C.CredentialBlockCstChildren, t: Target): void {
    this.id(t, "name", one(ctx.Credential), one(ctx.StringLike));
    for (const s of ctx.credentialStatement ?? []) this.credentialStatement(s.children, t, s);
  }

  credentialStatement(ctx: C.CredentialStatementCstChildren, t: Target, node: CstNode): void {
    const value = one(ctx.StringLike);
    if (ctx.SubjectCn) this.setString(t, node, "subject_cn", one(ctx.SubjectCn), value);
    else if (ctx.Fingerprint)
      this.setString(t, node, "fingerprint256", one(ctx.Fingerprint), value);
    else this.setString(t, node, "grant", one(ctx.Grant), value);
  }

  // ------------------------------------------------------------------ policy tests

  testBlock(ctx: C.TestBlockCstChildren, t: Target): void {
    this.id(t, "name", one(ctx.Test), one(ctx.StringLike));
    for (const r of ctx.requestStatement ?? []) this.requestStatement(r.children, t, r);
    for (const e of ctx.expectStatement ?? []) this.expectStatement(e.children, t, e);
  }

  requestStatement(ctx: C.RequestStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.w;
    const request: Obj = {};
    const ptr = this.set(t, node, "request", one(ctx.Request), request, w.node(node));
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
    if (ctx.RCurly) w.anchor(ptr, one(ctx.RCurly).startOffset, true);
    for (const d of ctx.requestDetail ?? []) this.requestDetail(d.children, r, d);
  }

  requestDetail(ctx: C.RequestDetailCstChildren, t: Target, node: CstNode): void {
    const w = this.w;
    const here: Target = { ...t, at: at(node) };
    if (ctx.tokenStatement) {
      const token = one(ctx.tokenStatement);
      const ptr = t.ptr.child("token");
      this.set(
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
      this.setWord(t, node, "challenge_cookie", one(ctx.Challenge), one(ctx.CookieStateValue));
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
    const keySpan = keyToken === undefined ? this.w.node(block) : this.w.token(keyToken);
    const ptr = this.w.put(t, key, keySpan, obj, this.w.node(node), `\`${key}\``);
    if (ptr !== undefined) fill(block, { obj, ptr, at: at(node) });
  }

  tokenStatement(ctx: C.TokenStatementCstChildren, ptr: SpanNode): Obj {
    const w = this.w;
    const token: Obj = {};
    if (ctx.Grant) {
      const name = one(ctx.StringLike);
      token["grant"] = str(name);
      w.mark(ptr.child("grant"), w.token(name));
    } else {
      const kind = one(ctx.InvalidTokenValue);
      token["invalid"] = kind.image;
      w.mark(ptr.child("invalid"), w.token(kind));
    }
    if (ctx.TokenPlaceValue) {
      const place = one(ctx.TokenPlaceValue);
      token["in"] = place.image;
      w.mark(ptr.child("in"), w.token(place));
    }
    return token;
  }

  sessionBlock(): void {
    // Visited through `requestDetail` (`#nested`), which owns the `session` property.
  }

  sessionStatement(ctx: C.SessionStatementCstChildren, t: Target, node: CstNode): void {
    if (ctx.Groups) return this.setList(t, node, "groups", one(ctx.Groups), one(ctx.list));
    const keyword = one(ctx.User ?? ctx.Email ?? ctx.Name);
    const key = ctx.User ? "user_id" : keyword.image;
    this.setString(t, node, key, keyword, one(ctx.StringLike));
  }

  tlsBlock(): void {
    // Visited through `requestDetail` (`#nested`), which owns the `tls` property.
  }

  tlsStatement(ctx: C.TlsStatementCstChildren, t: Target, node: CstNode): void {
    if (ctx.Version) this.setWord(t, node, "version", one(ctx.Version), one(ctx.TlsVersionValue));
    else if (ctx.Group) this.setString(t, node, "group", one(ctx.Group), one(ctx.StringLike));
    else if (ctx.Ech) this.setBool(t, node, "ech", one(ctx.Ech), one(ctx.BoolValue));
    else this.setString(t, node, "client_cert", one(ctx.ClientCert), one(ctx.StringLike));
  }

  expectStatement(ctx: C.ExpectStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.w;
    const expect: Obj = {};
    const ptr = this.set(t, node, "expect", one(ctx.Expect), expect, w.node(node));
    if (ptr === undefined) return;
    const field = (
      key: string,
      token: IToken | undefined,
      value: (tok: IToken) => unknown,
    ): void => {
      if (token === undefined) return;
      expect[key] = value(token);
      w.mark(ptr.child(key), w.token(token));
    };
    field("outcome", one(ctx.OutcomeValue), (tok) => tok.image);
    field("status", ctx.NumberLiteral?.[0], (tok) => Number(tok.image));
    field("reason", ctx.ReasonValue?.[0], (tok) => tok.image);
    field("policy", ctx.PolicyKindValue?.[0], (tok) => tok.image);
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
