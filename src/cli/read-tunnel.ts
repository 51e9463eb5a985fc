/**
 * Reads the tunnel properties that `rampart explain --action create` decides: a tunnel object
 * in the policy file's JSON shape (platform property names, S-D5), inline or in a file,
 * checked and lowered like a policy's tunnel, with spans so a bad field is underlined where it
 * was written. `id` may be left out: a tunnel being created has none yet.
 */
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import { childPointer } from "../diagnostics/json-pointer.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import { lowerTunnel } from "../ir/lower-tunnel.ts";
import type { TunnelIr } from "../ir/types.ts";
import { spanAt } from "../syntax/ast.ts";
import { readJson } from "../syntax/json-reader.ts";
import { Tunnel } from "../syntax/model.ts";

/** The id a tunnel being created is given when the properties name none. */
export const NEW_TUNNEL_ID = "new-tunnel";

function pointerOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((pointer, key) => childPointer(pointer, String(key)), "");
}

/** Parses, checks and lowers tunnel properties. Never throws for bad input. */
export function readTunnelProperties(source: SourceFile): Outcome<TunnelIr> {
  const read = readJson(source);
  if (read.value === undefined) return { value: undefined, diagnostics: read.diagnostics };
  const { value, spans } = read.value;
  const withId =
    value !== null && typeof value === "object" && !Array.isArray(value) && !("id" in value)
      ? { id: NEW_TUNNEL_ID, ...value }
      : value;
  const checked = Tunnel.safeParse(withId);
  if (!checked.success) {
    const diagnostics = checked.error.issues.map((issue): Diagnostic => {
      const span = spanAt(spans, pointerOf(issue.path));
      return {
        code: "RP8951",
        severity: "error",
        message: `invalid tunnel properties: ${issue.message.toLowerCase()} at \`${pointerOf(issue.path) || "/"}\``,
        ...(span === undefined ? {} : { span }),
        help: "tunnel properties are a tunnel of a policy file: `protocol` and optional `name`, `labels`, `hostname`, `publish`, `token_auth`, `trusted_ips`, …",
      };
    });
    return { value: undefined, diagnostics };
  }
  const diagnostics: Diagnostic[] = [];
  const tunnel = lowerTunnel(checked.data, "", {
    span: (pointer) => spanAt(spans, pointer),
    report: (d) => diagnostics.push(d),
  });
  return {
    value: diagnostics.some((d) => d.severity === "error") ? undefined : tunnel,
    diagnostics,
  };
}
