// Issue #19: `rampart diff`, `compile` and `lint` on long work show progress on a terminal (stderr only, never
// when stderr is not a terminal or with --quiet), and `--max-time` stops it with exit code 4
// and a report of what it compared (RP8180 in SARIF), never a silent partial answer.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../src/cli/commands/compile.ts";
import { diff } from "../../src/cli/commands/diff.ts";
import { lint } from "../../src/cli/commands/lint.ts";
import { ExitCode } from "../../src/cli/exit-codes.ts";
import { memoryIo } from "../../src/cli/io.ts";
import { UsageError } from "../../src/cli/args.ts";

const root = join(import.meta.dirname, "..", "..");
const OLD = "fixtures/diff/widen-cidr/old.rampart";
const NEW = "fixtures/diff/widen-cidr/new.rampart";

function io(stderrIsTty: boolean): ReturnType<typeof memoryIo> {
  const base = memoryIo({
    [OLD]: readFileSync(join(root, OLD), "utf8"),
    [NEW]: readFileSync(join(root, NEW), "utf8"),
  });
  return Object.assign(base, { stderrIsTty });
}

describe("rampart diff progress and --max-time (issue #19)", () => {
  it("shows a progress line on a terminal's stderr and erases it; stdout is unchanged", async () => {
    const tty = io(true);
    const plain = io(false);
    assert.equal(await diff([OLD, NEW], tty), ExitCode.Findings);
    assert.equal(await diff([OLD, NEW], plain), ExitCode.Findings);
    const err = tty.stderr.join("");
    assert.match(err, /diff: comparing host classes \d+\/\d+ \(100%\)/);
    assert.ok(err.endsWith("\r\x1b[2K"), "the progress line is erased at the end");
    assert.equal(tty.stdout.join(""), plain.stdout.join(""));
  });

  it("writes nothing on stderr when it is not a terminal, or with --quiet", async () => {
    const plain = io(false);
    const quiet = io(true);
    await diff([OLD, NEW], plain);
    await diff([OLD, NEW, "--quiet"], quiet);
    assert.deepEqual(plain.stderr, []);
    assert.deepEqual(quiet.stderr, []);
  });

  it("stops at --max-time with exit code 4 and says what it compared", async () => {
    const text = io(false);
    // A budget of one nanosecond is spent once both versions are read.
    assert.equal(await diff([OLD, NEW, "--max-time", "0.000000001"], text), ExitCode.TimeLimit);
    const out = text.stdout.join("");
    assert.match(
      out,
      /incomplete: the time limit \(`--max-time`\) stopped the diff after 0 of \d+ host classes/,
    );
    assert.match(out, /in the part compared; the rest is unknown\n$/);

    const json = io(false);
    assert.equal(await diff([OLD, NEW, "--max-time", "1e-9", "--format", "json"], json), 4);
    const report = JSON.parse(json.stdout.join("")) as { stopped?: { explored: number } };
    assert.equal(report.stopped?.explored, 0);

    const sarif = io(false);
    await diff([OLD, NEW, "--max-time", "1e-9", "--format", "sarif"], sarif);
    const results = (
      JSON.parse(sarif.stdout.join("")) as {
        runs: { results: { ruleId: string; level: string }[] }[];
      }
    ).runs[0]?.results;
    assert.deepEqual(
      results?.filter((r) => r.ruleId === "RP8180").map((r) => r.level),
      ["error"],
    );
  });

  it("a budget long enough changes nothing: the full report and its exit code", async () => {
    const limited = io(false);
    const unlimited = io(false);
    assert.equal(await diff([OLD, NEW, "--max-time", "3600"], limited), ExitCode.Findings);
    await diff([OLD, NEW], unlimited);
    assert.equal(limited.stdout.join(""), unlimited.stdout.join(""));
  });

  it("refuses a --max-time that is not a positive number", async () => {
    for (const bad of ["0", "-1", "soon", ""])
      await assert.rejects(diff([OLD, NEW, "--max-time", bad], io(false)), UsageError);
  });
});

describe("rampart lint and compile progress (issue #19)", () => {
  it("lint: stages on a terminal's stderr, erased; nothing otherwise; the report is the same", async () => {
    const tty = io(true);
    const plain = io(false);
    const quiet = io(true);
    assert.equal(await lint([OLD], tty), ExitCode.Ok);
    assert.equal(await lint([OLD], plain), ExitCode.Ok);
    assert.equal(await lint([OLD, "--quiet"], quiet), ExitCode.Ok);
    const err = tty.stderr.join("");
    assert.match(err, new RegExp(`lint: ${OLD}: reading`));
    assert.ok(err.endsWith("\r\x1b[2K"));
    assert.deepEqual(plain.stderr, []);
    assert.deepEqual(quiet.stderr, []);
    assert.equal(tty.stdout.join(""), plain.stdout.join(""));
  });

  it("compile: stages and the bundle writing on a terminal; the bundle is the same", async () => {
    const tty = io(true);
    const plain = io(false);
    assert.equal(await compile([OLD, "-o", "b.json"], tty), ExitCode.Ok);
    assert.equal(await compile([OLD, "-o", "b.json", "--quiet"], plain), ExitCode.Ok);
    const err = tty.stderr.join("");
    assert.match(err, /compile: writing the bundle/);
    assert.deepEqual(
      plain.stderr.filter((line) => line.includes("\r")),
      [],
    );
    assert.equal(tty.files.get("b.json"), plain.files.get("b.json"));
  });
});
