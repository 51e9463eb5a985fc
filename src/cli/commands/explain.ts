/** `rampart explain POLICY --request FILE|JSON`: one decision, with the trace that led to it. */
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import { explainRequest } from "../../explain/explain.ts";
import { renderWhyNot, whyNot } from "../../analysis/why-not.ts";
import { handshakeFactsOf, requestFactsOf } from "../../policy-tests/facts.ts";
import { parseCommandArgs, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { checkPolicyFile } from "../load-policy.ts";
import { readTestRequest, requestSource } from "../read-request.ts";
import { reportDiagnostics } from "../report.ts";
import { explainAction } from "./explain-action.ts";
import { terminalSafe } from "../../diagnostics/terminal-text.ts";

export const explainHelp = `rampart explain POLICY --request FILE|JSON [--format text|json]
rampart explain POLICY --action create|list|watch --token JWT|CLAIMS|FILE
                [--tunnel FILE|JSON (create)] [--format text|json]

Decides one request against a policy with the reference interpreter and prints the
decision and every stage it passed through, with the rule that decided as a code frame;
for a refused request, the smallest set of failed conditions and the nearest change
that would allow it.
The request has the shape of a policy test's request, e.g.
  '{"method":"GET","url":"https://api.acme.test/api/v1","client_ip":"192.0.2.10","country":"DE"}'
With --action, decides a control-plane action for a token instead (no request): may it
create a tunnel with the --tunnel properties (a tunnel object of a policy file, \`id\`
optional; the project's bounds apply first), which of the policy's tunnels and fields may
it list, may it be used as a query token on the watch endpoints. A refusal names the
failed conditions with their JSON Pointers in the token. The token is a JWT (its signature
is checked when RAMPART_TOKEN_SECRET is set) or its claim set as JSON.
Exit codes: 0 explained, 1 the policy or the request has errors, 2 usage or I/O error.`;

export async function explain(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(argv, {
    request: { type: "string", short: "r" },
    format: { type: "string" },
    action: { type: "string" },
    token: { type: "string" },
    tunnel: { type: "string" },
  });
  const [path, ...rest] = positionals;
  if (path === undefined || rest.length > 0)
    throw new UsageError("explain takes exactly one policy file");
  const format = values["format"] ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError("--format must be text or json");
  const action = values["action"];
  if (typeof action === "string") {
    if (values["request"] !== undefined)
      throw new UsageError("give either --request or --action, not both");
    return explainAction(
      {
        policyPath: path,
        action,
        token: values["token"] as string | undefined,
        tunnel: values["tunnel"] as string | undefined,
        format,
      },
      io,
    );
  }
  const requestArg = values["request"];
  if (typeof requestArg !== "string")
    throw new UsageError("explain needs --request FILE|JSON or --action create|list|watch");

  const checked = await checkPolicyFile(path, io);
  const requestText = await requestSource(requestArg, io);
  const request = readTestRequest(requestText);
  const policy = checked.effective;
  const problems = [...checked.diagnostics, ...request.diagnostics];
  if (policy === undefined || request.value === undefined || hasErrors(problems)) {
    reportDiagnostics(
      io,
      format === "json" ? "json" : "text",
      problems,
      [checked.source, requestText],
      {
        summary: false,
      },
    );
    return ExitCode.Findings;
  }
  const facts = requestFactsOf(policy, request.value);
  if (facts === null)
    throw new UsageError("the request `url` must be absolute, like https://host/path");
  const handshake = handshakeFactsOf(request.value, facts.host);
  const sources = new Map([[checked.source.name, checked.source]]);
  const explanation = explainRequest(policy, facts, handshake, sources);
  if (format === "json") {
    io.out(
      `${JSON.stringify({ decision: explanation.decision, trace: explanation.trace }, null, 2)}\n`,
    );
  } else {
    io.out(
      terminalSafe(explanation.text.endsWith("\n") ? explanation.text : `${explanation.text}\n`),
    );
    // A refused request also gets the nearest change that would let it through.
    if (explanation.decision.outcome !== "forward")
      io.out(`\n${terminalSafe(renderWhyNot(whyNot(policy, facts)))}\n`);
  }
  return ExitCode.Ok;
}
