// Reading a policy file for the commands: a policy keeps the bytes it was decoded from (the JSON
// span index and the DSL scanner read them instead of a copy of the text); the spans and
// diagnostics of a policy are the same either way.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processIo } from "../../src/cli/io.ts";
import { readSource, UnreadableFile } from "../../src/cli/load-policy.ts";
import { runPipeline } from "../../src/pipeline.ts";
import type { CheckedPolicy } from "../../src/pipeline.ts";

/** A JSON policy with a text beyond ASCII (`é`, two bytes) and a warning to report. */
const POLICY = JSON.stringify(
  {
    project: { id: "p", name: "Café", plan: "enterprise" },
    tunnels: [{ id: "t1", protocol: "http", hostname: ["a.example.test"], token_auth: true }],
  },
  null,
  2,
);

/** A DSL policy with a text beyond ASCII and a warning to report. */
const DSL_POLICY = `project "p" {
  name "Café"
  plan enterprise
}

tunnel "t1" {
  protocol http
  hosts ["a.example.test"]
  token_auth on
}
`;

/** Every span of a checked policy's document, in order (none when it did not parse). */
function spansOf(checked: CheckedPolicy): [string, unknown][] {
  return checked.ast === undefined ? [] : [...checked.ast.spans];
}

function withFiles(files: Record<string, string>, run: (dir: string) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), "rampart-read-source-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return run(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe("readSource", () => {
  it("keeps a policy's bytes beside its text, JSON or DSL", async () => {
    await withFiles({ "p.json": POLICY, "p.rampart": DSL_POLICY }, async (dir) => {
      const json = await readSource(join(dir, "p.json"), processIo());
      assert.equal(json.text, POLICY);
      assert.ok(json.bytes !== undefined && Buffer.from(POLICY, "utf8").equals(json.bytes));
      const dsl = await readSource(join(dir, "p.rampart"), processIo());
      assert.equal(dsl.text, DSL_POLICY);
      assert.ok(dsl.bytes !== undefined && Buffer.from(DSL_POLICY, "utf8").equals(dsl.bytes));
    });
  });

  it("reads a DSL policy to the same spans and diagnostics with its bytes as without", async () => {
    for (const text of [DSL_POLICY, DSL_POLICY.replace("Café", "Cafe")]) {
      await withFiles({}, async (dir) => {
        const path = join(dir, "p.rampart");
        writeFileSync(path, text);
        const withBytes = await readSource(path, processIo());
        assert.ok(withBytes.bytes !== undefined);
        const withoutBytes = { name: path, text: withBytes.text };
        const a = runPipeline(withBytes, {});
        const b = runPipeline(withoutBytes, {});
        assert.ok(a.diagnostics.length > 0);
        assert.deepEqual(a.diagnostics, b.diagnostics);
        assert.deepEqual(spansOf(a), spansOf(b));
      });
    }
  });

  it("refuses bytes that are no UTF-8 (RP1013) where they are, in a string, a comment or between", async () => {
    const texts = [
      Buffer.concat([
        Buffer.from('project "p" {\n  name "Caf'),
        Buffer.from([0xff]),
        Buffer.from('"\n}\n'),
      ]),
      Buffer.concat([
        Buffer.from("# "),
        Buffer.from([0xff]),
        Buffer.from(`\n${DSL_POLICY.replace("Café", "Cafe")}`),
      ]),
      Buffer.concat([
        Buffer.from('project "p" {\n  plan '),
        Buffer.from([0xfe]),
        Buffer.from("\n}\n"),
      ]),
    ];
    for (const bytes of texts) {
      await withFiles({}, async (dir) => {
        const path = join(dir, "p.rampart");
        writeFileSync(path, bytes);
        const source = await readSource(path, processIo());
        const checked = runPipeline(source, {});
        assert.deepEqual(
          checked.diagnostics.map((d) => [d.code, d.span?.start]),
          [["RP1013", source.text.indexOf("\uFFFD")]],
        );
      });
    }
  });

  it("reads the same spans and diagnostics with the bytes kept as without (S-T8)", async () => {
    for (const text of [POLICY, POLICY.replace("Café", "Cafe")]) {
      await withFiles({ "p.json": text }, async (dir) => {
        const path = join(dir, "p.json");
        const withBytes = await readSource(path, processIo());
        assert.ok(withBytes.bytes !== undefined);
        const withoutBytes = { name: path, text };
        const a = runPipeline(withBytes, {});
        const b = runPipeline(withoutBytes, {});
        assert.ok(a.diagnostics.some((d) => d.code === "RP8040"));
        assert.deepEqual(a.diagnostics, b.diagnostics);
        assert.deepEqual(a.ir?.tunnels[0]?.origin, b.ir?.tunnels[0]?.origin);
      });
    }
  });

  it("reports a missing JSON file as unreadable", async () => {
    await assert.rejects(readSource("/nonexistent/p.json", processIo()), UnreadableFile);
  });
});
