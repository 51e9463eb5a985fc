/** Argument parsing shared by the commands: node's parseArgs, with usage errors as values. */
import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";

/** Output formats every reporting command accepts. */
export const REPORT_FORMATS = ["text", "json", "sarif", "github"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A problem with how the command was called (exit code 2). */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parses argv for one command; unknown flags are usage errors. */
export function parseCommandArgs<O extends Options>(
  argv: readonly string[],
  options: O,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return {
      values: parsed.values as Record<string, string | boolean | string[] | undefined>,
      positionals: parsed.positionals,
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Reads `--format`, checking it is one of the allowed values. */
export function reportFormat(value: unknown): ReportFormat {
  if (value === undefined) return "text";
  if (typeof value === "string" && (REPORT_FORMATS as readonly string[]).includes(value)) {
    return value as ReportFormat;
  }
  throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(", ")}`);
}
