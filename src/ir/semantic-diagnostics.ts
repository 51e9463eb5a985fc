/**
 * The diagnostics of the semantic stage, one named constructor per code (registered in
 * `src/diagnostics/codes/semantic.ts`). Messages are lower case without a final period; the
 * fix goes in `help`.
 */
import type { Diagnostic, Label, Severity } from "../diagnostics/diagnostic.ts";
import type { DiagnosticCode } from "../diagnostics/codes.ts";
import type { Span } from "../diagnostics/span.ts";
import { countryCodeHelp } from "./countries.ts";

type MaybeSpan = Span | undefined;

function make(
  code: DiagnosticCode,
  severity: Severity,
  span: MaybeSpan,
  message: string,
  help?: string,
  labels?: readonly (Label | undefined)[],
): Diagnostic {
  const kept = (labels ?? []).filter((l): l is Label => l !== undefined);
  return {
    code,
    severity,
    message,
    ...(span === undefined ? {} : { span }),
    ...(help === undefined ? {} : { help }),
    ...(kept.length === 0 ? {} : { labels: kept }),
  };
}

/** A secondary location, when the span is known. */
export function label(span: MaybeSpan, message: string): Label | undefined {
  return span === undefined ? undefined : { span, message };
}

const suggestion = (name: string | undefined): string | undefined =>
  name === undefined ? undefined : `did you mean \`${name}\`?`;

export const invalidIpEntry = (span: MaybeSpan, entry: string, reason: string): Diagnostic =>
  make(
    "RP3001",
    "error",
    span,
    `invalid trusted IP \`${entry}\`: ${reason}`,
    "write an IPv4 or IPv6 address, or a CIDR such as `10.0.0.0/8` or `2001:db8::/32`",
  );

export const cidrHostBits = (span: MaybeSpan, entry: string, fixed: string): Diagnostic =>
  make(
    "RP3002",
    "warning",
    span,
    `CIDR \`${entry}\` has host bits set`,
    `did you mean \`${fixed}\`?`,
  );

export const redundantIpEntry = (
  span: MaybeSpan,
  entry: string,
  cover: string,
  coverSpan: MaybeSpan,
): Diagnostic =>
  make(
    "RP3003",
    "warning",
    span,
    entry === cover
      ? `\`${entry}\` is listed twice`
      : `\`${entry}\` is already covered by \`${cover}\``,
    "remove this entry",
    [label(coverSpan, `\`${cover}\` is here`)],
  );

export const unknownCountry = (span: MaybeSpan, code: string): Diagnostic =>
  make("RP3004", "error", span, `unknown country code \`${code}\``, countryCodeHelp(code));

export const invalidHost = (span: MaybeSpan, host: string): Diagnostic =>
  make(
    "RP3005",
    "error",
    span,
    `\`${host}\` is not a valid host name`,
    "write a DNS name such as `api.example.com`, or `*.example.com` for one more label",
  );

export const invalidPath = (span: MaybeSpan, path: string, reason: string): Diagnostic =>
  make(
    "RP3006",
    "error",
    span,
    `invalid path \`${path}\`: ${reason}`,
    "write the path as the server serves it, starting with `/`, such as `/api/v1`",
  );

export const invalidGlob = (span: MaybeSpan, glob: string, reason: string): Diagnostic =>
  make(
    "RP3007",
    "error",
    span,
    `invalid path glob \`${glob}\`: ${reason}`,
    "`*` matches one segment, `**` any number of segments, as in `/api/*/items/**`",
  );

export const unsafeRegex = (span: MaybeSpan, source: string, reason: string): Diagnostic =>
  make(
    "RP3008",
    "error",
    span,
    `regex \`${source}\` is not allowed: ${reason}`,
    "use a simpler pattern, or a `prefix` or `glob` path match",
  );

export const invalidExpiry = (span: MaybeSpan, text: string): Diagnostic =>
  make(
    "RP3009",
    "error",
    span,
    `\`${text}\` is not an RFC 3339 date-time`,
    "write a date-time with a time zone, such as `2026-12-31T23:59:59Z`",
  );

export const invalidFingerprint = (span: MaybeSpan, text: string): Diagnostic =>
  make(
    "RP3010",
    "error",
    span,
    `\`${text}\` is not a SHA-256 fingerprint`,
    "write 64 hexadecimal digits, with or without `:` between bytes",
  );

export const credentialWithoutIdentity = (span: MaybeSpan, name: string): Diagnostic =>
  make(
    "RP3011",
    "error",
    span,
    `credential \`${name}\` names no certificate`,
    "add `subject_cn` or `fingerprint256`",
  );

export const leafWorkspacesAndProjects = (span: MaybeSpan): Diagnostic =>
  make(
    "RP3012",
    "error",
    span,
    "a grant leaf names both `workspaces` and `projects`",
    "keep one of them; nest an `AND` to require both",
  );

/** The five duplicate-name codes share one shape. */
export const duplicate = (
  code: "RP3101" | "RP3102" | "RP3103" | "RP3104" | "RP3105" | "RP3106",
  span: MaybeSpan,
  what: string,
  value: string,
  firstSpan: MaybeSpan,
  severity: Severity = "error",
): Diagnostic =>
  make(
    code,
    severity,
    span,
    `duplicate ${what} \`${value}\``,
    `give each ${what} a unique value or remove this one`,
    [label(firstSpan, "first used here")],
  );

export const unknownParentGrant = (
  span: MaybeSpan,
  parent: string,
  known: string | undefined,
): Diagnostic =>
  make(
    "RP3201",
    "error",
    span,
    `unknown parent grant \`${parent}\``,
    suggestion(known) ?? "name a grant defined in this file",
  );

export const parentGrantCycle = (span: MaybeSpan, cycle: readonly string[]): Diagnostic =>
  make(
    "RP3202",
    "error",
    span,
    `grants derive from each other in a cycle: ${cycle.map((c) => `\`${c}\``).join(" → ")}`,
    "remove `parent` from one of them",
  );

export const unknownCredentialGrant = (
  span: MaybeSpan,
  grant: string,
  known: string | undefined,
): Diagnostic =>
  make(
    "RP3203",
    "error",
    span,
    `unknown grant \`${grant}\``,
    suggestion(known) ?? "name a grant defined in this file",
  );

export const unknownFilterTunnel = (
  span: MaybeSpan,
  field: "id" | "name",
  value: string,
  help: string | undefined,
): Diagnostic =>
  make(
    "RP3204",
    "error",
    span,
    `no tunnel of this project has ${field} \`${value}\``,
    help ?? `use the ${field} of a tunnel defined in this file`,
  );

export const unknownTestGrant = (
  span: MaybeSpan,
  grant: string,
  known: string | undefined,
): Diagnostic =>
  make(
    "RP3205",
    "error",
    span,
    `unknown grant \`${grant}\``,
    suggestion(known) ?? "name a grant defined in this file",
  );

export const unknownTestCredential = (
  span: MaybeSpan,
  credential: string,
  known: string | undefined,
): Diagnostic =>
  make(
    "RP3206",
    "error",
    span,
    `unknown credential \`${credential}\``,
    suggestion(known) ?? "name a credential defined in this file",
  );

export const planFeature = (
  span: MaybeSpan,
  feature: string,
  property: string,
  planSpan: MaybeSpan,
): Diagnostic =>
  make(
    "RP3301",
    "error",
    span,
    `the \`basic\` plan does not include ${feature}`,
    `remove \`${property}\` or change the project plan to \`pro\` or \`enterprise\``,
    [label(planSpan, "the project plan is `basic`")],
  );

export const requiredOnDtls = (
  span: MaybeSpan,
  setting: "post-quantum" | "ECH",
  tunnel: string,
  settingSpan: MaybeSpan,
): Diagnostic =>
  make(
    "RP3302",
    "error",
    span,
    `${setting} \`required\` cannot be satisfied by DTLS tunnel \`${tunnel}\``,
    "DTLS is DTLS 1.2: use `preferred`, or a TLS or QUIC tunnel",
    [label(settingSpan, `${setting} is required here`)],
  );

export const passthroughTlsOption = (
  span: MaybeSpan,
  property: string,
  tunnel: string,
): Diagnostic =>
  make(
    "RP3303",
    "error",
    span,
    `\`${property}\` has no effect on passthrough tunnel \`${tunnel}\``,
    "the engine does not terminate TLS for passthrough: enforce it upstream, or remove it",
  );

export const httpOnlyOption = (
  span: MaybeSpan,
  property: string,
  tunnel: string,
  protocol: string,
): Diagnostic =>
  make(
    "RP3304",
    "error",
    span,
    `\`${property}\` needs an HTTP tunnel, but \`${tunnel}\` is \`${protocol}\``,
    "remove it, or use protocol `http`",
  );

export const tcpOption = (span: MaybeSpan, property: string, tunnel: string): Diagnostic =>
  make(
    "RP3305",
    "error",
    span,
    `\`${property}\` is not available on TCP tunnel \`${tunnel}\``,
    "TCP tunnels have no host names and no edge authentication: remove it",
  );

export const privateTunnelExposure = (
  span: MaybeSpan,
  property: string,
  tunnel: string,
  publishSpan: MaybeSpan,
): Diagnostic =>
  make(
    "RP3306",
    "error",
    span,
    `\`${property}\` has no effect on private tunnel \`${tunnel}\``,
    "private tunnels are reached by tunnel id or name only: remove it, or publish the tunnel",
    [label(publishSpan, "the tunnel is private here")],
  );

export const invalidTestUrl = (span: MaybeSpan, url: string): Diagnostic =>
  make(
    "RP3401",
    "error",
    span,
    `\`${url}\` is not an absolute http or https URL`,
    "write the full URL, such as `https://api.example.com/v1/users`",
  );

export const testUnknownHost = (
  span: MaybeSpan,
  host: string,
  known: string | undefined,
): Diagnostic =>
  make(
    "RP3402",
    "error",
    span,
    `no tunnel serves host \`${host}\``,
    suggestion(known) ?? "use a host of a tunnel defined in this file",
  );

export const invalidTestClientIp = (span: MaybeSpan, text: string): Diagnostic =>
  make(
    "RP3403",
    "error",
    span,
    `\`${text}\` is not an IP address`,
    "write one IPv4 or IPv6 address, such as `203.0.113.7`",
  );

export const invalidUpstream = (
  span: MaybeSpan,
  url: string,
  tunnel: string,
  problem: string,
): Diagnostic =>
  make(
    "RP3070",
    "error",
    span,
    `upstream \`${url}\` of tunnel \`${tunnel}\` is not a usable HTTP upstream: ${problem}`,
    "write an absolute URL such as `http://10.0.0.5:8080` or `https://app.internal/base`",
  );

export const unknownMethod = (
  span: MaybeSpan,
  method: string,
  closest: string | undefined,
): Diagnostic =>
  make(
    "RP3071",
    "warning",
    span,
    `\`${method}\` is not an HTTP method: requests using it are refused before any policy sees them, so this entry allows nothing`,
    suggestion(closest) ?? "use a method name such as `GET`, `POST` or `PUT`",
  );

export const lowerCaseMethod = (span: MaybeSpan, method: string, upper: string): Diagnostic =>
  make(
    "RP3072",
    "warning",
    span,
    `method \`${method}\` is not upper case: HTTP methods are case-sensitive, and this entry is read as \`${upper}\``,
    `write \`${upper}\``,
  );

export const duplicateMethod = (
  span: MaybeSpan,
  method: string,
  firstSpan: MaybeSpan,
): Diagnostic =>
  make("RP3073", "warning", span, `method \`${method}\` is listed twice`, "remove this entry", [
    label(firstSpan, "first listed here"),
  ]);
