/** `rampart fmt [--check] FILE...`: canonical formatting, checked for soundness. */
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import type { Outcome } from "../../diagnostics/diagnostic.ts";
import type { SourceFile } from "../../diagnostics/span.ts";
import { formatDsl } from "../../syntax/format.ts";
import { parseJsonPolicy } from "../../syntax/json-to-ast.ts";
import { printJson } from "../../syntax/print-json.ts";
import { parseCommandArgs, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { readSource } from "../load-policy.ts";
import { reportDiagnostics } from "../report.ts";

export const fmtHelp = `rampart fmt [--check] FILE...

Rewrites policy files in their canonical form (DSL or JSON). With --check, changes
nothing and lists the files that are not formatted.
Exit codes: 0 formatted, 1 a file is not formatted (--check) or does not parse, 2 usage or I/O error.`;

function formatSource(source: SourceFile): Outcome<string> {
  if (!source.name.endsWith(".json")) return formatDsl(source);
  // Only diagnostics read spans here: the index waits for one.
  const parsed = parseJsonPolicy(source, "on first use");
  if (parsed.value === undefined) return { value: undefined, diagnostics: parsed.diagnostics };
  return { value: printJson(parsed.value.document), diagnostics: parsed.diagnostics };
}

export async function fmt(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(argv, { check: { type: "boolean" } });
  if (positionals.length === 0) throw new UsageError("fmt needs at least one policy file");
  let exit: ExitCode = ExitCode.Ok;
  for (const path of positionals) {
    const source = await readSource(path, io);
    const formatted = formatSource(source);
    if (formatted.value === undefined || hasErrors(formatted.diagnostics)) {
      reportDiagnostics(io, "text", formatted.diagnostics, [source]);
      exit = ExitCode.Findings;
      continue;
    }
    if (formatted.value === source.text) continue;
    if (values["check"] === true) {
      io.out(`${path}: not formatted\n`);
      exit = ExitCode.Findings;
    } else {
      await io.writeFile(path, formatted.value);
      io.out(`${path}: formatted\n`);
    }
  }
  return exit;
}
