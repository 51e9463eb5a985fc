/**
 * Reads the request that `rampart explain` decides: the same shape as a policy test's
 * `request` (JSON, inline or in a file), checked and lowered like one, with spans so a bad
 * field is underlined where it was written.
 */
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import { spanAt } from "../syntax/ast.ts";
import { readJson } from "../syntax/json-reader.ts";
import { childPointer } from "../diagnostics/json-pointer.ts";
import { TestRequest } from "../syntax/model.ts";
import { lowerTestRequest } from "../ir/lower-test.ts";
import type { TestRequestIr } from "../ir/types.ts";
import type { Io } from "./io.ts";
import { readSource } from "./load-policy.ts";

function pointerOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((pointer, key) => childPointer(pointer, String(key)), "");
}

/** The request source: inline JSON when the argument starts with `{`, else a file path. */
export async function requestSource(argument: string, io: Io): Promise<SourceFile> {
  return argument.trimStart().startsWith("{")
    ? { name: "<request>", text: argument }
    : readSource(argument, io);
}

/** Parses, checks and lowers a request. Never throws for bad input. */
export function readTestRequest(source: SourceFile): Outcome<TestRequestIr> {
  const read = readJson(source);
  if (read.value === undefined) return { value: undefined, diagnostics: read.diagnostics };
  const { value, spans } = read.value;
  const checked = TestRequest.safeParse(value);
  if (!checked.success) {
    const diagnostics = checked.error.issues.map((issue): Diagnostic => {
      const span = spanAt(spans, pointerOf(issue.path));
      return {
        code: "RP8902",
        severity: "error",
        message: `invalid request: ${issue.message.toLowerCase()} at \`${pointerOf(issue.path) || "/"}\``,
        ...(span === undefined ? {} : { span }),
        help: "a request has `url` and `client_ip`, and may have `method`, `country`, `headers`, `token`, `challenge_cookie`, `session` and `tls`, as in a policy test",
      };
    });
    return { value: undefined, diagnostics };
  }
  const diagnostics: Diagnostic[] = [];
  const lowered = lowerTestRequest(checked.data, "", {
    span: (pointer) => spanAt(spans, pointer),
    report: (d) => diagnostics.push(d),
  });
  return {
    value: diagnostics.some((d) => d.severity === "error") ? undefined : lowered,
    diagnostics,
  };
}
