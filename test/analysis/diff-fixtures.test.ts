// Issue #8 "must show": `rampart diff` on the fixture pairs in fixtures/diff/ prints the
// expected regions and witnesses and exits 1 exactly when access widens. Each case folder
// holds old.rampart, new.rampart and expected.txt (the report, then `exit N`);
// UPDATE_GOLDEN=1 rewrites expected.txt for review.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diff } from "../../src/cli/commands/diff.ts";
import { memoryIo } from "../../src/cli/io.ts";
import { UsageError } from "../../src/cli/args.ts";
import { UnreadableFile } from "../../src/cli/load-policy.ts";

const root = join(import.meta.dirname, "..", "..");
const dir = join(root, "fixtures", "diff");
const update = process.env["UPDATE_GOLDEN"] === "1";
const cases = readdirSync(dir).filter((c) => existsSync(join(dir, c, "old.rampart")));

/** The exit code each case must give: 1 when the change widens access. */
const EXPECTED_EXIT: Readonly<Record<string, number>> = {
  "widen-cidr": 1,
  "drop-country": 0,
  "add-path-grant": 1,
  "raise-min-tls": 0,
  "challenge-on": 0,
};

async function run(
  name: string,
  extra: readonly string[] = [],
): Promise<{ code: number; out: string }> {
  const oldPath = `fixtures/diff/${name}/old.rampart`;
  const newPath = `fixtures/diff/${name}/new.rampart`;
  const io = memoryIo({
    [oldPath]: readFileSync(join(root, oldPath), "utf8"),
    [newPath]: readFileSync(join(root, newPath), "utf8"),
  });
  const code = await diff([oldPath, newPath, ...extra], io);
  return { code, out: io.stdout.join("") };
}

describe("fixtures/diff (issue #8)", () => {
  it("has the five required cases", () =>
    assert.deepEqual([...cases].sort(), Object.keys(EXPECTED_EXIT).sort()));
  for (const name of cases) {
    it(`${name}: prints the expected regions and witnesses, exit ${EXPECTED_EXIT[name]}`, async () => {
      const { code, out } = await run(name);
      assert.equal(code, EXPECTED_EXIT[name]);
      assert.ok(!out.includes("NOT confirmed"), "every witness is confirmed on both versions");
      const rendered = `${out}exit ${code}\n`;
      const expectedPath = join(dir, name, "expected.txt");
      if (update || !existsSync(expectedPath)) writeFileSync(expectedPath, rendered);
      assert.equal(rendered, readFileSync(expectedPath, "utf8"));
    });
  }
  it("widen-cidr: the witness is an address just inside the new range", async () => {
    const { out } = await run("widen-cidr", ["--format", "json"]);
    const report = JSON.parse(out) as {
      widens: boolean;
      regions: { kind: string; witness: { request: { clientIp: string }; confirmed: boolean } }[];
    };
    assert.equal(report.widens, true);
    const allowed = report.regions.filter((r) => r.kind === "newly-allowed");
    assert.ok(allowed.length > 0);
    for (const r of allowed) {
      assert.equal(r.witness.request.clientIp, "10.0.0.0");
      assert.ok(r.witness.confirmed);
    }
  });
  it("renders SARIF with one result per region, located in the new file", async () => {
    const { code, out } = await run("add-path-grant", ["--format", "sarif"]);
    assert.equal(code, 1);
    const sarif = JSON.parse(out) as {
      runs: {
        results: {
          ruleId: string;
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
        }[];
      }[];
    };
    const results = sarif.runs[0]?.results ?? [];
    assert.ok(results.some((r) => r.ruleId === "RP8101"));
    for (const r of results)
      assert.match(r.locations[0]?.physicalLocation.artifactLocation.uri ?? "", /new\.rampart$/);
  });
  it("renders GitHub annotations: newly denied (RP8102) and answered differently (RP8103)", async () => {
    const { out } = await run("drop-country", ["--format", "github"]);
    assert.match(
      out,
      /^::notice file=fixtures\/diff\/drop-country\/new\.rampart,line=\d+.*title=RP8102/m,
    );
    assert.match(out, /title=RP8103/);
  });
  it("reads OLD through `git show` for `git:REV:PATH`; a bad spec or revision is a usage/I-O error (exit 2)", async () => {
    const io = { ...memoryIo({ "b.rampart": "" }), cwd: root };
    await assert.rejects(
      diff(["git:no-such-revision:fixtures/diff/widen-cidr/old.rampart", "b.rampart"], io),
      (e: unknown) => {
        assert.ok(e instanceof UnreadableFile);
        assert.match(e.message, /cannot read `git:no-such-revision:/);
        return true;
      },
    );
    await assert.rejects(diff(["git:HEAD", "b.rampart"], io), UsageError);
    await assert.rejects(diff(["only-one.rampart"], io), UsageError);
  });

  it("exits 0 with no regions when nothing changes", async () => {
    const io = memoryIo({
      "a.rampart": readFileSync(join(dir, "widen-cidr", "old.rampart"), "utf8"),
    });
    assert.equal(await diff(["a.rampart", "a.rampart"], io), 0);
    assert.match(io.stdout.join(""), /no request changes decision/);
  });
});
