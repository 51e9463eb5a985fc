/**
 * A policy may spell any character with an escape, so the values a report quotes (a tunnel id,
 * a test name) can hold terminal escape sequences and bidirectional overrides. Printed raw,
 * they would recolour, hide or reorder the output of `lint`, `test` and `explain`, on a
 * terminal or in a CI log. Every text report writes them as `\uXXXX` instead.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import { memoryIo } from "../../src/cli/io.ts";
import { terminalSafe } from "../../src/diagnostics/terminal-text.ts";

/** ESC, BEL, a C1 CSI, a right-to-left override, an isolate and a line separator. */
const UNSAFE_OUTPUT = /[\u001b\u0007\u009b\u202e\u2066\u2028]/;

/** A tunnel and a test whose names carry escape sequences and bidirectional overrides. */
const HOSTILE = `project "p" {
  plan pro
}
tunnel "t\\u001b[31m\\u202e" {
  name "n\\u001b]0;title\\u0007"
  protocol http
  hosts ["a.test"]
  public
  upstream "http://10.0.0.1:80"
  auth none
}
# The test fails on purpose: a failure shows the tunnel's id in the trace.
test "hostile\\u009b2J\\u2066" {
  request GET "https://a.test/x" from 192.0.2.1
  expect deny 403
}
`;

/** A grant naming a tunnel that does not exist: RP3204 quotes the id in its message. */
const UNKNOWN_ID = `project "p" {
  plan pro
}
grant "g" {
  type app
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["p"]
    connect where id = "x\\u001b[2J\\u202e\\u2028y"
  }
}
`;

async function run(files: Record<string, string>, ...argv: string[]): Promise<string> {
  const io = memoryIo(files);
  await main(argv, io);
  return io.stdout.join("") + io.stderr.join("");
}

describe("terminal-safe text output", () => {
  it("terminalSafe writes controls, C1 and bidirectional characters as escapes, and keeps the rest", () => {
    assert.equal(terminalSafe("a\u001b[31mb"), "a\\u001b[31mb");
    assert.equal(
      terminalSafe("\u009b\u202e\u2066\u200f\u2028\u007f"),
      "\\u009b\\u202e\\u2066\\u200f\\u2028\\u007f",
    );
    assert.equal(terminalSafe("line\n\ttab é 😀 \\u001b"), "line\n\ttab é 😀 \\u001b");
  });

  it("lint (text and github formats) quotes a hostile id with escapes", async () => {
    const files = { "p.rampart": UNKNOWN_ID };
    const text = await run(files, "lint", "p.rampart");
    assert.match(text, /error\[RP3204\]/);
    assert.doesNotMatch(text, UNSAFE_OUTPUT);
    assert.match(text, /`x\\u001b\[2J\\u202e\\u2028y`/);
    const github = await run(files, "lint", "--format", "github", "p.rampart");
    assert.match(github, /::error /);
    assert.doesNotMatch(github, UNSAFE_OUTPUT);
  });

  it("lint's code frame shows a raw override in a comment as `�`, not obeyed", async () => {
    const text = await run(
      { "p.rampart": `project "p" {\n  plan prox # \u202e\u2066 reversed\n}\n` },
      "lint",
      "p.rampart",
    );
    assert.match(text, /error\[RP1004\]/);
    assert.doesNotMatch(text, UNSAFE_OUTPUT);
  });

  it("test and explain quote hostile tunnel ids and test names with escapes", async () => {
    const files = { "p.rampart": HOSTILE };
    const tested = await run(files, "test", "p.rampart");
    assert.match(tested, /FAIL {2}hostile\\u009b2J\\u2066/);
    assert.match(tested, /tunnel:t\\u001b\[31m\\u202e/);
    assert.doesNotMatch(tested, UNSAFE_OUTPUT);
    const request = '{"method":"GET","url":"https://a.test/x","client_ip":"192.0.2.1"}';
    const explained = await run(files, "explain", "p.rampart", "--request", request);
    assert.match(explained, /decision: forward/);
    assert.doesNotMatch(explained, UNSAFE_OUTPUT);
  });
});
