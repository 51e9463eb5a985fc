/**
 * `explain`'s code frames show a source line the way lint's do: a control or bidi character is
 * shown as `�` (never obeyed by the terminal), and the carets stay under the span.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderSpanFrame } from "../../src/explain/render-trace.ts";
import type { SourceFile } from "../../src/diagnostics/span.ts";

test("a control character before the span keeps the carets under it", () => {
  const text = 'tunnel "t\u001b[31m" { hosts = ["web.test"] }\n';
  const source: SourceFile = { name: "p.rampart", text };
  const start = text.indexOf("hosts");
  const frame = renderSpanFrame(
    { file: "p.rampart", start, end: start + "hosts".length },
    new Map([["p.rampart", source]]),
    "",
  );
  const [, line, carets] = frame;
  assert.ok(line !== undefined && carets !== undefined);
  assert.doesNotMatch(line, /\u001b/);
  const shownAt = line.indexOf("hosts");
  assert.equal(carets.indexOf("^"), shownAt);
  assert.equal(carets.trimEnd().length - shownAt, "hosts".length);
});
