/**
 * Prints a policy document as canonical DSL: fixed statement order, one statement per line,
 * two-space indentation, one blank line between top-level blocks. Deterministic: the output
 * depends on the document (and the comments passed in) only, never on how it was written.
 *
 * Every document field has a spelling, so `parseDsl(printDsl(doc))` gives `doc` back. The one
 * exception is empty containers that mean nothing and have no statement of their own: top-level
 * `[]` arrays, a leaf's `scopes: {}` or `scopes.tunnels: {}`, a request's `headers: {}` and a
 * filter's `labels: {}` print as nothing, i.e. as if absent.
 */
import type { DslComments } from "./dsl/comments.ts";
import { addressOrQuoted, quote, wordOrQuoted } from "./dsl/literals.ts";
import { printGrantNode, printList } from "./dsl/print-grant.ts";
import { keysUnder, Lines } from "./dsl/print-lines.ts";
import { childPointer } from "../diagnostics/json-pointer.ts";
import type {
  CredentialDoc,
  GrantDoc,
  PolicyDocumentDoc,
  PolicyTestDoc,
  ProjectDoc,
  TestRequestDoc,
  TunnelDoc,
} from "./model.ts";

type Edge = Pick<ProjectDoc, "trusted_ips" | "geo_ip" | "tls_min_version" | "post_quantum" | "ech">;

const onOff = (value: boolean): string => (value ? "on" : "off");

/** The canonical DSL text of a document; `comments` (from `parseDslWithComments`) are kept. */
export function printDsl(document: PolicyDocumentDoc, comments?: DslComments): string {
  const out = new Lines(comments);
  if (document.$schema !== undefined) {
    out.line(0, `schema ${quote(document.$schema)}`, ["/$schema"]);
  }
  out.blank();
  printProject(out, document.project);
  document.tunnels?.forEach((t, i) => printTunnel(out, t, `/tunnels/${i}`));
  document.grants?.forEach((g, i) => printGrant(out, g, `/grants/${i}`));
  document.credentials?.forEach((c, i) => printCredential(out, c, `/credentials/${i}`));
  document.tests?.forEach((t, i) => printTest(out, t, `/tests/${i}`));
  return out.finish();
}

/** Prints `text` at `depth` when `value` is present, keyed by the field's pointer. */
function field<T>(
  out: Lines,
  depth: number,
  ptr: string,
  key: string,
  value: T | undefined,
  text: (v: T) => string,
): void {
  if (value !== undefined) out.line(depth, text(value), keysUnder(childPointer(ptr, key), value));
}

function open(out: Lines, keyword: string, id: string, ptr: string, idKey: string): void {
  out.blank();
  out.line(0, `${keyword} ${quote(id)} {`, [ptr, childPointer(ptr, idKey)]);
}

function printProject(out: Lines, project: ProjectDoc): void {
  const ptr = "/project";
  open(out, "project", project.id, ptr, "id");
  field(out, 1, ptr, "name", project.name, (v) => `name ${quote(v)}`);
  field(out, 1, ptr, "workspace", project.workspace, (v) => `workspace ${quote(v)}`);
  field(out, 1, ptr, "plan", project.plan, (v) => `plan ${v}`);
  field(out, 1, ptr, "public_access", project.public_access, (v) => `public_access ${v}`);
  field(out, 1, ptr, "members", project.members, (members) => {
    const parts = (["users", "clients"] as const).flatMap((k) =>
      members[k] === undefined ? [] : [`${k} ${printList(members[k], quote)}`],
    );
    return parts.length === 0 ? "members {}" : `members { ${parts.join(" ")} }`;
  });
  printEdge(out, project, ptr);
  out.close(0, ptr);
}

function printEdge(out: Lines, edge: Edge, ptr: string): void {
  field(
    out,
    1,
    ptr,
    "trusted_ips",
    edge.trusted_ips,
    (v) => `trusted_ips ${printList(v, addressOrQuoted)}`,
  );
  field(out, 1, ptr, "geo_ip", edge.geo_ip, (v) => `geo_ip ${printList(v, wordOrQuoted)}`);
  field(out, 1, ptr, "tls_min_version", edge.tls_min_version, (v) => `tls_min ${v}`);
  field(out, 1, ptr, "post_quantum", edge.post_quantum, (pq) => {
    const fips = pq.fips === undefined ? "" : pq.fips ? " fips" : " fips off";
    return `post_quantum ${pq.mode}${fips}`;
  });
  field(out, 1, ptr, "ech", edge.ech, (v) => `ech ${v}`);
}

function printTunnel(out: Lines, tunnel: TunnelDoc, ptr: string): void {
  open(out, "tunnel", tunnel.id, ptr, "id");
  field(out, 1, ptr, "name", tunnel.name, (v) => `name ${quote(v)}`);
  field(out, 1, ptr, "labels", tunnel.labels, (labels) => {
    const entries = Object.entries(labels).map(([k, v]) => `${wordOrQuoted(k)} = ${quote(v)}`);
    return entries.length === 0 ? "labels {}" : `labels { ${entries.join(", ")} }`;
  });
  field(out, 1, ptr, "protocol", tunnel.protocol, (v) => `protocol ${v}`);
  field(out, 1, ptr, "hostname", tunnel.hostname, (v) => `hosts ${printList(v, quote)}`);
  field(out, 1, ptr, "publish", tunnel.publish, (v) => (v ? "public" : "private"));
  field(out, 1, ptr, "upstream", tunnel.upstream, (v) => `upstream ${quote(v)}`);
  printAuth(out, tunnel, ptr);
  field(out, 1, ptr, "mtls_auth", tunnel.mtls_auth, (v) => `mtls ca ${quote(v.ca)}`);
  field(out, 1, ptr, "challenge_mode", tunnel.challenge_mode, (v) => `challenge ${onOff(v)}`);
  field(
    out,
    1,
    ptr,
    "forward_authorization",
    tunnel.forward_authorization,
    (v) => `forward_authorization ${onOff(v)}`,
  );
  field(out, 1, ptr, "rstream_auth_allow", tunnel.rstream_auth_allow, (allow) => {
    const parts = (["emails", "domains", "groups"] as const).flatMap((k) =>
      allow[k] === undefined ? [] : [`${k} ${printList(allow[k], quote)}`],
    );
    return parts.length === 0 ? "allow_users {}" : `allow_users { ${parts.join(" ")} }`;
  });
  printEdge(out, tunnel, ptr);
  out.close(0, ptr);
}

/** `auth …` when both flags are set; otherwise the flag that is set, on its own. */
function printAuth(out: Lines, tunnel: TunnelDoc, ptr: string): void {
  const { token_auth: token, rstream_auth: rstream } = tunnel;
  if (token !== undefined && rstream !== undefined) {
    const modes = [token ? "token" : "", rstream ? "rstream-auth" : ""].filter((m) => m !== "");
    const keys = [childPointer(ptr, "token_auth"), childPointer(ptr, "rstream_auth")];
    out.line(1, modes.length === 0 ? "auth none" : `auth ${modes.join(", ")}`, keys);
    return;
  }
  field(out, 1, ptr, "token_auth", token, (v) => `token_auth ${onOff(v)}`);
  field(out, 1, ptr, "rstream_auth", rstream, (v) => `rstream_auth ${onOff(v)}`);
}

const PERMISSIONS = new Set([
  "tunnels.resources.read-only",
  "tunnels.tunnels.create-delete",
  "tunnels.streams.create-delete",
]);

function printGrant(out: Lines, grant: GrantDoc, ptr: string): void {
  open(out, "grant", grant.name, ptr, "name");
  field(out, 1, ptr, "type", grant.type, (v) => `type ${v}`);
  field(out, 1, ptr, "parent", grant.parent, (v) => `parent ${quote(v)}`);
  field(out, 1, ptr, "expires_at", grant.expires_at, (v) => `expires ${quote(v)}`);
  field(out, 1, ptr, "permissions", grant.permissions, (v) =>
    v === null
      ? "permissions all"
      : `permissions ${printList(v, (p) => (PERMISSIONS.has(p) ? p : quote(p)))}`,
  );
  if (grant.resources !== undefined) {
    const resources = childPointer(ptr, "resources");
    const tree = childPointer(resources, "tunnels");
    printGrantNode(
      out,
      1,
      "resources ",
      [resources, `${resources}#end`],
      grant.resources.tunnels,
      tree,
    );
  }
  out.close(0, ptr);
}

function printCredential(out: Lines, credential: CredentialDoc, ptr: string): void {
  open(out, "credential", credential.name, ptr, "name");
  field(out, 1, ptr, "subject_cn", credential.subject_cn, (v) => `subject_cn ${quote(v)}`);
  field(out, 1, ptr, "fingerprint256", credential.fingerprint256, (v) => `fingerprint ${quote(v)}`);
  field(out, 1, ptr, "grant", credential.grant, (v) => `grant ${quote(v)}`);
  out.close(0, ptr);
}

function printTest(out: Lines, test: PolicyTestDoc, ptr: string): void {
  open(out, "test", test.name, ptr, "name");
  printRequest(out, test.request, childPointer(ptr, "request"));
  field(out, 1, ptr, "expect", test.expect, (e) =>
    ["expect", e.outcome, e.status, e.reason, e.policy].filter((x) => x !== undefined).join(" "),
  );
  out.close(0, ptr);
}

function printRequest(out: Lines, request: TestRequestDoc, ptr: string): void {
  const head = ["request"];
  if (request.method !== undefined) head.push(wordOrQuoted(request.method));
  head.push(quote(request.url), "from", addressOrQuoted(request.client_ip));
  if (request.country !== undefined) head.push("country", wordOrQuoted(request.country));
  const headKeys = [
    ptr,
    ...["method", "url", "client_ip", "country"].map((k) => childPointer(ptr, k)),
  ];
  const details = requestDetails(request, ptr);
  if (details.length === 0) {
    out.line(1, head.join(" "), [...headKeys, `${ptr}#end`]);
    return;
  }
  out.line(1, `${head.join(" ")} {`, headKeys);
  for (const [text, keys] of details) out.line(2, text, keys);
  out.close(1, ptr);
}

function requestDetails(request: TestRequestDoc, ptr: string): (readonly [string, string[]])[] {
  const lines: (readonly [string, string[]])[] = [];
  const token = request.token;
  if (token !== undefined) {
    const what = "grant" in token ? `grant ${quote(token.grant)}` : `invalid ${token.invalid}`;
    const place = token.in === undefined ? "" : ` in ${token.in}`;
    const owner = "grant" in token ? token.owner : undefined;
    const whose =
      owner === undefined
        ? ""
        : "user" in owner
          ? ` owner user ${quote(owner.user)}`
          : ` owner client ${quote(owner.client)}`;
    lines.push([`token ${what}${place}${whose}`, keysUnder(childPointer(ptr, "token"), token)]);
  }
  const headersPtr = childPointer(ptr, "headers");
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    lines.push([
      `header ${quote(name)} = ${quote(value)}`,
      [headersPtr, childPointer(headersPtr, name)],
    ]);
  }
  if (request.challenge_cookie !== undefined) {
    lines.push([`challenge ${request.challenge_cookie}`, [childPointer(ptr, "challenge_cookie")]]);
  }
  const session = request.session;
  if (session !== undefined) {
    const parts = [`user ${quote(session.user_id)}`];
    if (session.email !== undefined) parts.push(`email ${quote(session.email)}`);
    if (session.name !== undefined) parts.push(`name ${quote(session.name)}`);
    if (session.groups !== undefined) parts.push(`groups ${printList(session.groups, quote)}`);
    lines.push([
      `session { ${parts.join(" ")} }`,
      keysUnder(childPointer(ptr, "session"), session),
    ]);
  }
  const tls = request.tls;
  if (tls !== undefined) {
    const parts: string[] = [];
    if (tls.version !== undefined) parts.push(`version ${tls.version}`);
    if (tls.group !== undefined) parts.push(`group ${quote(tls.group)}`);
    if (tls.ech !== undefined) parts.push(`ech ${onOff(tls.ech)}`);
    if (tls.client_cert !== undefined) parts.push(`client_cert ${quote(tls.client_cert)}`);
    const body = parts.length === 0 ? "{}" : `{ ${parts.join(" ")} }`;
    lines.push([`tls ${body}`, keysUnder(childPointer(ptr, "tls"), tls)]);
  }
  return lines;
}
