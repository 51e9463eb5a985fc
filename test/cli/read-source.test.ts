// Reading a policy file for the commands: a JSON policy keeps the bytes it was decoded from
// (its span index reads them instead of a copy of the text); the spans and diagnostics of a
// policy are the same either way.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processIo } from "../../src/cli/io.ts";
import { readSource, UnreadableFile } from "../../src/cli/load-policy.ts";
import { runPipeline } from "../../src/pipeline.ts";

/** A JSON policy with a text beyond ASCII (`é`, two bytes) and a warning to report. */
const POLICY = JSON.stringify(
  {
    project: { id: "p", name: "Café", plan: "enterprise" },
    tunnels: [{ id: "t1", protocol: "http", hostname: ["a.example.test"], token_auth: true }],
  },
  null,
  2,
);

function withFiles(files: Record<string, string>, run: (dir: string) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), "rampart-read-source-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return run(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe("readSource", () => {
  it("keeps a JSON policy's bytes beside its text, and a DSL policy's text alone", async () => {
    await withFiles({ "p.json": POLICY, "p.rampart": "project p {}\n" }, async (dir) => {
      const json = await readSource(join(dir, "p.json"), processIo());
      assert.equal(json.text, POLICY);
      assert.ok(json.bytes !== undefined && Buffer.from(POLICY, "utf8").equals(json.bytes));
      const dsl = await readSource(join(dir, "p.rampart"), processIo());
      assert.equal(dsl.text, "project p {}\n");
      assert.equal(dsl.bytes, undefined);
    });
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
