/**
 * Intersection failures as values (arktype's `Disjoint`): each kind file returns an
 * `Incompatible` naming both sides, and this module alone turns them into diagnostics, so
 * every bounds error reads the same way — primary span on the tunnel setting, a label on the
 * project rule that it conflicts with.
 */
import type { Diagnostic, Label } from "../diagnostics/diagnostic.ts";
import type { DiagnosticCode } from "../diagnostics/codes.ts";
import type { RuleRef } from "./effective.ts";

/** The kinds of conflict between a project bound and a tunnel request. */
export type IncompatibleKind =
  | "empty-ip-intersection"
  | "empty-country-intersection"
  | "public-tunnel-forbidden"
  | "public-tunnel-without-auth"
  | "dtls-cannot-satisfy"
  | "plan-feature"
  | "duplicate-host";

/** One side of a conflict: the rule and a short description of what it asks for. */
export interface IncompatibleSide extends RuleRef {
  readonly describe: string;
}

/** A conflict found while intersecting; `left` is the project side, `right` the tunnel side. */
export interface Incompatible {
  readonly kind: IncompatibleKind;
  /** The tunnel it concerns, or `null` for a project-level problem. */
  readonly tunnelId: string | null;
  /** The property path, e.g. `["network", "trusted_ips"]`. */
  readonly path: readonly string[];
  readonly left: IncompatibleSide;
  readonly right: IncompatibleSide;
}

const CODES: Readonly<Record<IncompatibleKind, DiagnosticCode>> = {
  "empty-ip-intersection": "RP4101",
  "empty-country-intersection": "RP4102",
  "public-tunnel-forbidden": "RP4103",
  "public-tunnel-without-auth": "RP4104",
  "dtls-cannot-satisfy": "RP4105",
  "plan-feature": "RP4106",
  "duplicate-host": "RP4107",
};

function subject(inc: Incompatible): string {
  return inc.tunnelId === null ? "the project" : `tunnel \`${inc.tunnelId}\``;
}

function messageOf(inc: Incompatible): string {
  const who = subject(inc);
  switch (inc.kind) {
    case "empty-ip-intersection":
      return `${who} allows no address that the project allows`;
    case "empty-country-intersection":
      return `${who} allows no country that the project allows`;
    case "public-tunnel-forbidden":
      return `${who} is public but the project forbids public tunnels`;
    case "public-tunnel-without-auth":
      return `${who} is public without authentication but the project requires it`;
    case "dtls-cannot-satisfy":
      return `${who} uses DTLS, which cannot satisfy ${inc.left.describe}`;
    case "plan-feature":
      return `${inc.right.describe} is not available on ${inc.left.describe}`;
    case "duplicate-host":
      return `${who} claims host \`${inc.right.describe}\` that ${inc.left.describe} already serves`;
  }
}

function helpOf(inc: Incompatible): string {
  switch (inc.kind) {
    case "empty-ip-intersection":
      return "a tunnel can only narrow the project's trusted IPs; list addresses inside them";
    case "empty-country-intersection":
      return "a tunnel can only narrow the project's countries; list countries the project allows";
    case "public-tunnel-forbidden":
      return "set `publish: false` to make the tunnel private, or change the project's public access";
    case "public-tunnel-without-auth":
      return "enable `token_auth`, `rstream_auth` or `mtls_auth` on the tunnel";
    case "dtls-cannot-satisfy":
      return "use a TLS or QUIC tunnel, or relax the setting for this project";
    case "plan-feature":
      return "remove the setting or upgrade the project's plan";
    case "duplicate-host":
      return "give each published tunnel its own hosts";
  }
}

/** The one place where an intersection failure becomes a diagnostic. */
export function incompatibleToDiagnostic(inc: Incompatible): Diagnostic {
  const labels: Label[] = [];
  if (inc.left.origin !== null) {
    labels.push({ span: inc.left.origin, message: `${inc.left.rule}: ${inc.left.describe}` });
  }
  const primary = inc.right.origin ?? inc.left.origin;
  return {
    code: CODES[inc.kind],
    severity: "error",
    message: messageOf(inc),
    ...(primary !== null ? { span: primary } : {}),
    ...(labels.length > 0 && primary !== inc.left.origin ? { labels } : {}),
    help: helpOf(inc),
  };
}

/** Tells an intersection failure from a result. */
export function isIncompatible(value: unknown): value is Incompatible {
  return (
    typeof value === "object" &&
    value !== null &&
    "left" in value &&
    "right" in value &&
    "kind" in value
  );
}
