/**
 * Renders a policy diff: text for people (newly allowed and newly denied in full, other
 * response changes counted unless `all`), JSON for tools, and diagnostics (RP8101…RP8103) so
 * that SARIF and GitHub annotations go through the same renderers as lint.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { Decision } from "../../ir/decision.ts";
import { describeDecision } from "../decision-key.ts";
import { describeConditions, describeRequest, describeTunnel } from "./describe.ts";
import type { ChangeKind, PolicyDiff, Region } from "./types.ts";
import { widens } from "./types.ts";

/** The mark of each kind of change in text reports (also `rampart shadow report`'s). */
export const MARK: Readonly<Record<ChangeKind, string>> = {
  "newly-allowed": "+",
  "newly-denied": "-",
  changed: "~",
};
/** The words for each kind of change (also used by shadow rollout's witness lines). */
export const TITLE: Readonly<Record<ChangeKind, string>> = {
  "newly-allowed": "newly allowed",
  "newly-denied": "newly denied",
  changed: "answered differently",
};

/** A decision and the rule that made it: `denied 403 (policy_denied: ip) [project.trusted_ips]`. */
export function decisionLine(d: Decision): string {
  return `${describeDecision(d)} [${d.rule}]`;
}

/** A side's decision, or for the side a region's edge change lets through, how it is decided. */
function sideLine(r: Region, side: "before" | "after"): string {
  const d = r[side];
  return r.varies === side
    ? `as the tunnel's checks past the edge decide each request (the witness: ${decisionLine(d)})`
    : decisionLine(d);
}

function regionText(r: Region): string[] {
  const w = r.witness;
  return [
    `  ${MARK[r.kind]} ${TITLE[r.kind]}: ${describeConditions(r)}`,
    `      before: ${sideLine(r, "before")}`,
    `      after:  ${sideLine(r, "after")}`,
    `      witness: ${describeRequest(w.request, w.tokenGrant)} (${w.confirmed ? "confirmed on both versions" : "NOT confirmed"})`,
  ];
}

function count(diff: PolicyDiff, kind: ChangeKind): number {
  return diff.regions.filter((r) => r.kind === kind).length;
}

/** What an early stop leaves unproven, in one sentence. */
export function stoppedMessage(stopped: NonNullable<PolicyDiff["stopped"]>): string {
  return (
    `the time limit (\`--max-time\`) stopped the diff after ${stopped.explored} of ${stopped.total} ` +
    "host classes; the regions listed are exact for those, the others were not compared"
  );
}

/** The text report. */
export function renderDiffText(
  diff: PolicyDiff,
  before: string,
  after: string,
  all: boolean,
): string {
  const lines = [`rampart diff ${before} → ${after}`];
  const byTunnel = new Map<string, Region[]>();
  for (const r of diff.regions) {
    const key = describeTunnel(r);
    byTunnel.set(key, [...(byTunnel.get(key) ?? []), r]);
  }
  for (const [tunnel, regions] of byTunnel) {
    const shown = regions.filter((r) => all || r.kind !== "changed");
    const hidden = regions.length - shown.length;
    lines.push("", tunnel);
    for (const r of shown) lines.push(...regionText(r));
    if (hidden > 0)
      lines.push(
        `  ~ ${hidden} region${hidden === 1 ? "" : "s"} answered differently (run with --all to list them)`,
      );
  }
  if (!diff.complete) {
    lines.push(
      "",
      "note: a path regex is outside the analysed subset; changes on paths it alone decides may be missing",
    );
  }
  const allowed = count(diff, "newly-allowed");
  const denied = count(diff, "newly-denied");
  const changed = count(diff, "changed");
  if (diff.stopped !== undefined) {
    lines.push("", `incomplete: ${stoppedMessage(diff.stopped)}`);
  }
  const found = `${allowed} newly allowed, ${denied} newly denied, ${changed} answered differently`;
  lines.push(
    "",
    diff.stopped !== undefined
      ? `${found} in the part compared${widens(diff) ? ": access widens" : ""}; the rest is unknown`
      : diff.regions.length === 0
        ? "no request changes decision"
        : `${found}${widens(diff) ? ": access widens" : ""}`,
  );
  return `${lines.join("\n")}\n`;
}

function decisionJson(d: Decision): object {
  return {
    outcome: d.outcome,
    status: d.status,
    reason: d.reason,
    policy: d.policy,
    rule: d.rule,
    message: d.message,
  };
}

/** The JSON report: every region with its conditions, decisions and witness. */
export function renderDiffJson(diff: PolicyDiff, before: string, after: string): string {
  const regions = diff.regions.map((r) => {
    const { token, ...request } = r.witness.request;
    return {
      kind: r.kind,
      tunnelBefore: r.tunnelBefore,
      tunnelAfter: r.tunnelAfter,
      conditions: r.conditions.map((c) => ({
        dimension: c.dimension,
        anyOf: c.atoms.map((a) => a.label),
      })),
      before: decisionJson(r.before),
      after: decisionJson(r.after),
      ...(r.varies === undefined ? {} : { varies: r.varies }),
      span: r.span,
      witness: {
        request: {
          ...request,
          token:
            token === null
              ? null
              : { source: token.source, status: token.status, grant: r.witness.tokenGrant },
        },
        before: decisionJson(r.witness.before),
        after: decisionJson(r.witness.after),
        confirmed: r.witness.confirmed,
      },
    };
  });
  const stopped = diff.stopped === undefined ? {} : { stopped: diff.stopped };
  return `${JSON.stringify({ before, after, widens: widens(diff), complete: diff.complete, ...stopped, regions }, null, 2)}\n`;
}

const CODE: Readonly<Record<ChangeKind, `RP${number}`>> = {
  "newly-allowed": "RP8101",
  "newly-denied": "RP8102",
  changed: "RP8103",
};

/** Each region as a diagnostic on the new version's text, for SARIF and GitHub output. */
export function diffToDiagnostics(diff: PolicyDiff): Diagnostic[] {
  const stopped: Diagnostic[] =
    diff.stopped === undefined
      ? []
      : [
          {
            code: "RP8180",
            severity: "error",
            message: stoppedMessage(diff.stopped),
            help: "raise `--max-time`, or leave it out to compare every host class",
          },
        ];
  return [...stopped, ...regionDiagnostics(diff)];
}

function regionDiagnostics(diff: PolicyDiff): Diagnostic[] {
  return diff.regions.map((r) => ({
    code: CODE[r.kind],
    severity: r.kind === "newly-allowed" ? "warning" : "info",
    message: `${TITLE[r.kind]} on ${describeTunnel(r)}: ${describeConditions(r)} (${r.varies === "before" ? "decided past the edge" : describeDecision(r.before)} before, ${r.varies === "after" ? "decided past the edge" : describeDecision(r.after)} after)`,
    ...(r.span !== null ? { span: r.span } : {}),
    help: `witness: ${describeRequest(r.witness.request, r.witness.tokenGrant)}`,
  }));
}
