/**
 * `rampart explain POLICY --action create|list|watch --token TOKEN [--tunnel PROPS]`: one
 * control-plane decision (S-T2, S-T3, S-T7) with the reference interpreter, and why. `create`
 * decides a tunnel with the given properties in the policy's project (project bounds applied
 * first); `list` the policy's tunnels; `watch` the token alone.
 */
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import { effectiveTunnel } from "../../bounds/intersect.ts";
import { incompatibleToDiagnostic } from "../../bounds/incompatible.ts";
import { checkDuplicateHosts } from "../../bounds/kinds/host.ts";
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { SourceFile } from "../../diagnostics/span.ts";
import {
  listDecisionJson,
  renderControlDecision,
  renderListDecision,
} from "../../explain/render-control.ts";
import { interpretCreate, interpretList, interpretWatch } from "../../interpret/control-plane.ts";
import { UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { checkPolicyFile, readSource } from "../load-policy.ts";
import { readToken } from "../read-token.ts";
import type { ReadToken } from "../read-token.ts";
import { readTunnelProperties } from "../read-tunnel.ts";
import { reportDiagnostics } from "../report.ts";
import { terminalSafe } from "../../diagnostics/terminal-text.ts";

/** The actions `--action` takes. */
export const CONTROL_ACTIONS = ["create", "list", "watch"] as const;
type Action = (typeof CONTROL_ACTIONS)[number];

/** What the explain command parsed for an action. */
export interface ActionArgs {
  readonly policyPath: string;
  readonly action: string;
  readonly token: string | undefined;
  readonly tunnel: string | undefined;
  readonly format: "text" | "json";
}

function isAction(action: string): action is Action {
  return (CONTROL_ACTIONS as readonly string[]).includes(action);
}

/** The action, the token argument and (for `create`) the tunnel argument, or a usage error. */
function checkedArgs(args: ActionArgs): { action: Action; token: string; tunnel: string } {
  const { action, token, tunnel } = args;
  if (!isAction(action)) throw new UsageError("--action must be create, list or watch");
  if (token === undefined) throw new UsageError("--action needs --token JWT|CLAIMS|FILE");
  if (action === "create" && tunnel === undefined)
    throw new UsageError("--action create needs --tunnel JSON|FILE (the tunnel's properties)");
  return { action, token, tunnel: tunnel ?? "" };
}

/** The line that says how far the token was checked. */
export function tokenNote(token: ReadToken): string {
  return token.checked === "signature"
    ? "token: signature checked with RAMPART_TOKEN_SECRET"
    : "token: claims read without checking a signature (set RAMPART_TOKEN_SECRET to check it)";
}

async function tunnelSource(argument: string, io: Io): Promise<SourceFile> {
  return argument.trimStart().startsWith("{")
    ? { name: "<tunnel>", text: argument }
    : readSource(argument, io);
}

/** Runs `explain --action`. */
export async function explainAction(args: ActionArgs, io: Io): Promise<ExitCode> {
  const { action, token: tokenArg, tunnel: tunnelArg } = checkedArgs(args);
  const checked = await checkPolicyFile(args.policyPath, io);
  const token = await readToken(tokenArg, io);
  const problems: Diagnostic[] = [...checked.diagnostics, ...token.diagnostics];
  const sources: SourceFile[] = [checked.source];
  let proposed: EffectiveTunnel | null = null;
  if (action === "create" && checked.ir !== undefined) {
    const source = await tunnelSource(tunnelArg, io);
    sources.push(source);
    const read = readTunnelProperties(source);
    problems.push(...read.diagnostics);
    if (read.value !== undefined) {
      // The project's bounds come first: a tunnel they refuse cannot be created by anyone,
      // and neither can one on a host another tunnel of the project serves.
      const built = effectiveTunnel(checked.ir.project, read.value);
      const taken = checkDuplicateHosts([...checked.ir.tunnels, read.value]);
      problems.push(...taken.map(incompatibleToDiagnostic));
      if (Array.isArray(built)) problems.push(...built.map(incompatibleToDiagnostic));
      else if (taken.length === 0) proposed = built;
    }
  }
  const policy = checked.effective;
  if (
    policy === undefined ||
    token.value === undefined ||
    hasErrors(problems) ||
    (action === "create" && proposed === null)
  ) {
    reportDiagnostics(io, args.format, problems, sources, { summary: false });
    return ExitCode.Findings;
  }
  const facts = token.value.facts;
  if (action === "list") {
    const decision = interpretList(policy, facts);
    io.out(
      args.format === "json"
        ? `${JSON.stringify(listDecisionJson(decision), null, 2)}\n`
        : terminalSafe(
            `${tokenNote(token.value)}\n${renderListDecision(decision, facts.grant, policy.tunnels, facts)}\n`,
          ),
    );
    return ExitCode.Ok;
  }
  const decision =
    action === "create" && proposed !== null
      ? interpretCreate(policy, facts, proposed)
      : interpretWatch(policy, facts);
  io.out(
    args.format === "json"
      ? `${JSON.stringify(decision, null, 2)}\n`
      : terminalSafe(`${tokenNote(token.value)}\n${renderControlDecision(decision)}\n`),
  );
  return ExitCode.Ok;
}
