// One-shot commands run with a young generation sized for them (src/cli/batch-heap.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BATCH_COMMANDS,
  BATCH_HEAP_FLAGS,
  BATCH_HEAP_MIN_INPUT_BYTES,
  batchRelaunchArgs,
} from "../../src/cli/batch-heap.ts";
import type { StartedProcess } from "../../src/cli/batch-heap.ts";
import { commandNames } from "../../src/cli/main.ts";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "src", "cli", "bin.js");

const started = (overrides: Partial<StartedProcess>): StartedProcess => ({
  argv: ["lint", "policy.rampart"],
  execArgv: [],
  env: {},
  script: "/bin/rampart",
  namedFileBytes: [BATCH_HEAP_MIN_INPUT_BYTES],
  ...overrides,
});

describe("batch commands' heap", () => {
  it("classifies every command: batch, or a long-running server (serve, bundle serve)", () => {
    const unclassified = commandNames.filter((name) => !BATCH_COMMANDS.has(name));
    assert.deepEqual(unclassified, ["serve", "bundle"]);
    for (const name of BATCH_COMMANDS) assert.ok(commandNames.includes(name), name);
  });

  it("runs a batch command again with the flags, keeping Node's options and the arguments", () => {
    const args = batchRelaunchArgs(started({ execArgv: ["--enable-source-maps"] }));
    assert.deepEqual(args, [
      ...BATCH_HEAP_FLAGS,
      "--enable-source-maps",
      "/bin/rampart",
      "lint",
      "policy.rampart",
    ]);
  });

  it("runs as started: the server, no command, a debugger, or a semi-space size already chosen", () => {
    assert.equal(batchRelaunchArgs(started({ argv: ["serve", "--example"] })), undefined);
    assert.equal(batchRelaunchArgs(started({ argv: [] })), undefined);
    assert.equal(batchRelaunchArgs(started({ argv: ["--version"] })), undefined);
    // After the relaunch itself, so it happens once.
    assert.equal(batchRelaunchArgs(started({ execArgv: [...BATCH_HEAP_FLAGS] })), undefined);
    // The user's own choice wins, in either spelling V8 accepts.
    assert.equal(batchRelaunchArgs(started({ execArgv: ["--max_semi_space_size=64"] })), undefined);
    // A new process would make a debugger session start over.
    assert.equal(batchRelaunchArgs(started({ execArgv: ["--inspect-brk=0"] })), undefined);
    const env = { NODE_OPTIONS: "--max-semi-space-size=32" };
    assert.equal(batchRelaunchArgs(started({ env })), undefined);
  });

  it("runs a small input as started; a large one, or one of unknown size, again", () => {
    const small = BATCH_HEAP_MIN_INPUT_BYTES - 1;
    assert.equal(batchRelaunchArgs(started({ namedFileBytes: [small] })), undefined);
    assert.equal(batchRelaunchArgs(started({ namedFileBytes: [1000, 2000] })), undefined);
    // The files together decide (`diff OLD NEW`, several files to `lint`).
    assert.ok(batchRelaunchArgs(started({ namedFileBytes: [small, small] })) !== undefined);
    // No file named: standard input (`shadow report -`), or a file that is not there.
    assert.ok(batchRelaunchArgs(started({ namedFileBytes: [] })) !== undefined);
  });

  // The real executable: a module imported through Node's options reports the options of the
  // process that runs the command, and the command's own output and exit code come through.
  const reportOptions =
    "data:text/javascript,process.on('exit',()=>process.stderr.write('node options: '+JSON.stringify(process.execArgv)+'\\n'))";

  function rampart(args: string[], env: Record<string, string> = {}) {
    const r = spawnSync(process.execPath, ["--import", reportOptions, bin, ...args], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    const line = /node options: (.*)/.exec(r.stderr)?.[1];
    assert.ok(line !== undefined, r.stderr);
    return { status: r.status, stdout: r.stdout, options: JSON.parse(line) as string[] };
  }

  // Where the platform cannot replace a process (Windows), the command runs as started.
  const relaunched = typeof process.execve === "function" ? BATCH_HEAP_FLAGS : [];

  it("`rampart lint` of a large file runs with the flags, once, with its output and exit code", () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-batch-heap-"));
    try {
      // The example policy, padded with comment lines past the size that makes it large.
      const example = readFileSync(join(root, "fixtures", "policies", "acme.rampart"), "utf8");
      const line = `# ${"x".repeat(98)}\n`;
      const padding = line.repeat(Math.ceil(BATCH_HEAP_MIN_INPUT_BYTES / line.length));
      const large = join(dir, "large.rampart");
      writeFileSync(large, example + padding);
      const clean = rampart(["lint", large]);
      assert.equal(clean.status, 0);
      assert.match(clean.stdout, /no problems/);
      assert.deepEqual(clean.options, [...relaunched, "--import", reportOptions]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const failing = rampart(["lint", "no/such/file.rampart"]);
    assert.equal(failing.status, 2);
    assert.deepEqual(failing.options, [...relaunched, "--import", reportOptions]);
  });

  it("`rampart lint` of a small file runs as started (one start of Node)", () => {
    const clean = rampart(["lint", "fixtures/policies/acme.rampart"]);
    assert.equal(clean.status, 0);
    assert.match(clean.stdout, /no problems/);
    assert.deepEqual(clean.options, ["--import", reportOptions]);
  });

  it("`rampart --version` and a user's NODE_OPTIONS size run as started", () => {
    assert.deepEqual(rampart(["--version"]).options, ["--import", reportOptions]);
    const own = rampart(["lint", "fixtures/policies/acme.rampart"], {
      NODE_OPTIONS: "--max-semi-space-size=32",
    });
    assert.equal(own.status, 0);
    assert.deepEqual(own.options, ["--import", reportOptions]);
  });
});
