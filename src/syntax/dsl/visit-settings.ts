/** CST visitor rules for the project block and tunnel blocks (settings statements). */
import type { CstNode } from "chevrotain";
import type * as C from "../../../grammar/cst.d.ts";
import type { Target } from "./document-writer.ts";
import { duplicateSetting } from "./errors.ts";
import { VisitorBase, at, one, str, bool } from "./visit-base.ts";
import type { Obj } from "./visit-base.ts";

/** Rules for the `project` and `tunnel` blocks. */
export class SettingsVisitor extends VisitorBase {
  // ------------------------------------------------------------------ project

  schemaDecl(): void {
    // Handled in `policy`, which owns the document root.
  }

  projectBlock(ctx: C.ProjectBlockCstChildren, t: Target): void {
    this.id(t, "id", one(ctx.Project), one(ctx.StringLike));
    for (const s of ctx.projectStatement ?? []) this.projectStatement(s.children, t, s);
  }

  projectStatement(ctx: C.ProjectStatementCstChildren, t: Target, node: CstNode): void {
    if (ctx.Name) this.setString(t, node, "name", one(ctx.Name), one(ctx.StringLike));
    else if (ctx.Workspace)
      this.setString(t, node, "workspace", one(ctx.Workspace), one(ctx.StringLike));
    else if (ctx.Plan) this.setWord(t, node, "plan", one(ctx.Plan), one(ctx.PlanValue));
    else if (ctx.PublicAccess) {
      this.setWord(t, node, "public_access", one(ctx.PublicAccess), one(ctx.AccessValue));
    } else {
      const edge = one(ctx.edgeStatement);
      this.edgeStatement(edge.children, t, edge);
    }
  }

  edgeStatement(ctx: C.EdgeStatementCstChildren, t: Target, node: CstNode): void {
    if (ctx.TrustedIps) this.setList(t, node, "trusted_ips", one(ctx.TrustedIps), one(ctx.list));
    else if (ctx.GeoIp) this.setList(t, node, "geo_ip", one(ctx.GeoIp), one(ctx.list));
    else if (ctx.TlsMin)
      this.setWord(t, node, "tls_min_version", one(ctx.TlsMin), one(ctx.TlsVersionValue));
    else if (ctx.Ech) this.setWord(t, node, "ech", one(ctx.Ech), one(ctx.FeatureModeValue));
    else this.#postQuantum(ctx, t, node);
  }

  #postQuantum(ctx: C.EdgeStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.w;
    const mode = one(ctx.FeatureModeValue);
    const value: Obj = { mode: mode.image };
    const ptr = this.set(t, node, "post_quantum", one(ctx.PostQuantum), value, w.node(node));
    if (ptr === undefined) return;
    w.mark(ptr.child("mode"), w.token(mode));
    if (ctx.Fips) {
      const flag = ctx.BoolValue?.[0];
      value["fips"] = flag === undefined ? true : bool(flag);
      w.mark(ptr.child("fips"), w.token(flag ?? one(ctx.Fips)));
    }
  }

  // ------------------------------------------------------------------ tunnels

  tunnelBlock(ctx: C.TunnelBlockCstChildren, t: Target): void {
    this.id(t, "id", one(ctx.Tunnel), one(ctx.StringLike));
    for (const s of ctx.tunnelStatement ?? []) this.tunnelStatement(s.children, t, s);
  }

  // A flat dispatch over the statement keywords: one branch per statement, nothing nested.
  tunnelStatement(ctx: C.TunnelStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.w;
    if (ctx.Name) this.setString(t, node, "name", one(ctx.Name), one(ctx.StringLike));
    else if (ctx.labelsBlock) this.labelsBlock(one(ctx.labelsBlock).children, t, node);
    else if (ctx.Protocol)
      this.setWord(t, node, "protocol", one(ctx.Protocol), one(ctx.ProtocolValue));
    else if (ctx.Hosts) this.setList(t, node, "hostname", one(ctx.Hosts), one(ctx.list));
    else if (ctx.Public)
      this.set(t, node, "publish", one(ctx.Public), true, w.token(one(ctx.Public)));
    else if (ctx.Private)
      this.set(t, node, "publish", one(ctx.Private), false, w.token(one(ctx.Private)));
    else if (ctx.Upstream)
      this.setString(t, node, "upstream", one(ctx.Upstream), one(ctx.StringLike));
    else if (ctx.authStatement) this.authStatement(one(ctx.authStatement).children, t, node);
    else if (ctx.TokenAuth)
      this.setBool(t, node, "token_auth", one(ctx.TokenAuth), one(ctx.BoolValue));
    else if (ctx.RstreamAuth)
      this.setBool(t, node, "rstream_auth", one(ctx.RstreamAuth), one(ctx.BoolValue));
    else if (ctx.Mtls) this.#mtls(ctx, t, node);
    else if (ctx.Challenge)
      this.setBool(t, node, "challenge_mode", one(ctx.Challenge), one(ctx.BoolValue));
    else if (ctx.ForwardAuthorization) {
      this.setBool(
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
    const ptr = this.set(t, node, "mtls_auth", one(ctx.Mtls), { ca: str(ca) }, this.w.node(node));
    if (ptr !== undefined) this.w.mark(ptr.child("ca"), this.w.token(ca));
  }

  labelsBlock(ctx: C.LabelsBlockCstChildren, t: Target, node: CstNode): void {
    const labels: Obj = {};
    const ptr = this.set(t, node, "labels", one(ctx.Labels), labels, this.w.node(node));
    if (ptr === undefined) return;
    const target: Target = { obj: labels, ptr, at: at(node) };
    for (const entry of ctx.labelEntry ?? []) this.labelEntry(entry.children, target);
  }

  labelEntry(ctx: C.LabelEntryCstChildren, t: Target): void {
    const keyNode = one(ctx.key);
    const value = one(ctx.StringLike);
    const key = this.key(keyNode.children);
    this.w.put(t, key, this.w.node(keyNode), str(value), this.w.token(value), `label \`${key}\``);
  }

  key(ctx: C.KeyCstChildren): string {
    return ctx.Word ? one(ctx.Word).image : str(one(ctx.StringLike));
  }

  authStatement(ctx: C.AuthStatementCstChildren, t: Target, node: CstNode): void {
    const w = this.w;
    const keyword = one(ctx.Auth);
    if (ctx.None) {
      const span = w.token(one(ctx.None));
      this.set(t, node, "token_auth", keyword, false, span);
      this.set(t, node, "rstream_auth", keyword, false, span);
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
    this.set(t, node, "token_auth", keyword, token !== undefined, w.token(token ?? keyword));
    this.set(t, node, "rstream_auth", keyword, rstream !== undefined, w.token(rstream ?? keyword));
  }

  allowUsersBlock(ctx: C.AllowUsersBlockCstChildren, t: Target, node: CstNode): void {
    const allow: Obj = {};
    const ptr = this.set(
      t,
      node,
      "rstream_auth_allow",
      one(ctx.AllowUsers),
      allow,
      this.w.node(node),
    );
    if (ptr === undefined) return;
    const target: Target = { obj: allow, ptr, at: at(node) };
    for (const s of ctx.allowUsersStatement ?? []) this.allowUsersStatement(s.children, target, s);
  }

  allowUsersStatement(ctx: C.AllowUsersStatementCstChildren, t: Target, node: CstNode): void {
    const keyword = one(ctx.Emails ?? ctx.Domains ?? ctx.Groups);
    this.setList(t, node, keyword.image, keyword, one(ctx.list));
  }
}
