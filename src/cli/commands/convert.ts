/** `rampart convert FILE [--to json|dsl] [-o OUT]`: DSL ⇄ JSON, same policy either way. */
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import { parsePolicySource } from "../../syntax/parse.ts";
import { convertToDsl } from "../../syntax/format.ts";
import { printJson } from "../../syntax/print-json.ts";
import { parseCommandArgs, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { readSource } from "../load-policy.ts";
import { reportDiagnostics } from "../report.ts";

export const convertHelp = `rampart convert FILE [--to json|dsl] [-o OUT]

Converts a policy between the DSL and JSON. --to defaults to the other syntax.
Writes to OUT, or to stdout.
Exit codes: 0 converted, 1 the file does not parse, 2 usage or I/O error.`;

export async function convert(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(argv, {
    to: { type: "string" },
    output: { type: "string", short: "o" },
  });
  const [path, ...rest] = positionals;
  if (path === undefined || rest.length > 0) throw new UsageError("convert takes exactly one file");
  const to = values["to"] ?? (path.endsWith(".json") ? "dsl" : "json");
  if (to !== "json" && to !== "dsl") throw new UsageError("--to must be json or dsl");
  const source = await readSource(path, io);
  // Only diagnostics read spans here: a JSON file's index waits for one.
  const parsed = parsePolicySource(source, "on first use");
  if (parsed.value === undefined || hasErrors(parsed.diagnostics)) {
    reportDiagnostics(io, "text", parsed.diagnostics, [source]);
    return ExitCode.Findings;
  }
  const document = parsed.value.document;
  // JSON → DSL is checked for soundness: the DSL must parse back to the same policy.
  const converted =
    to === "json" ? { value: printJson(document), diagnostics: [] } : convertToDsl(document, path);
  if (converted.diagnostics.length > 0)
    reportDiagnostics(io, "text", converted.diagnostics, [source]);
  const text = converted.value;
  if (text === undefined || hasErrors(converted.diagnostics)) return ExitCode.Findings;
  const output = values["output"];
  if (typeof output === "string") await io.writeFile(output, text);
  else io.out(text);
  return ExitCode.Ok;
}
