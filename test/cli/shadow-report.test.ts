/**
 * Issue #21 item 4: `rampart shadow report`. The end-to-end test (test/runtime/shadow-e2e)
 * reads a real serve log; these cases pin the command's own contract: text and JSON from a
 * file, exit 0 when nothing widens, and usage errors (exit 2) for a bad verb, format or file.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import { memoryIo } from "../../src/cli/io.ts";

const pair = {
  kind: "newly-denied",
  change: "newly denied",
  tunnel: "api",
  runningRule: "tunnel:api",
  candidateRule: "tunnel:api.trusted_ips",
  running: "forwarded [tunnel:api]",
  candidate: "denied 403 (policy_denied: ip) [tunnel:api.trusted_ips]",
};
const LOG = [
  JSON.stringify({ level: 30, msg: "policy loaded", generation: 1 }),
  JSON.stringify({
    level: 30,
    msg: "shadow disagreement",
    shadow: { ...pair, witness: "GET http://api.test/v1 from 198.51.100.2 (unknown country)" },
  }),
  JSON.stringify({
    level: 30,
    msg: "shadow disagreements not logged",
    shadow: { ...pair, notLogged: 2 },
  }),
].join("\n");

describe("rampart shadow report (issue #21 item 4)", () => {
  it("prints a narrowing in diff's words and exits 0 (nothing widens)", async () => {
    const io = memoryIo({ "serve.log": LOG });
    assert.equal(await main(["shadow", "report", "serve.log"], io), 0);
    assert.equal(
      io.stdout.join(""),
      [
        "rampart shadow report serve.log",
        "",
        "tunnel `api`",
        "  - newly denied: 3 requests (1 logged)",
        "      running:   forwarded [tunnel:api]",
        "      candidate: denied 403 (policy_denied: ip) [tunnel:api.trusted_ips]",
        "      witness: GET http://api.test/v1 from 198.51.100.2 (unknown country)",
        "",
        "0 newly allowed, 3 newly denied, 0 answered differently",
        "",
      ].join("\n"),
    );
  });

  it("--format json gives the counts per rule pair", async () => {
    const io = memoryIo({ "serve.log": LOG });
    assert.equal(await main(["shadow", "report", "serve.log", "--format", "json"], io), 0);
    const report = JSON.parse(io.stdout.join("")) as {
      log: string;
      disagreements: number;
      pairs: { runningRule: string; count: number; logged: number }[];
    };
    assert.equal(report.log, "serve.log");
    assert.equal(report.disagreements, 3);
    assert.deepEqual(
      report.pairs.map((p) => [p.runningRule, p.count, p.logged]),
      [["tunnel:api", 3, 1]],
    );
  });

  it("a log without disagreements says so", async () => {
    const io = memoryIo({ "quiet.log": "" });
    assert.equal(await main(["shadow", "report", "quiet.log"], io), 0);
    assert.match(io.stdout.join(""), /no request was decided differently by the candidate\n$/);
  });

  it("refuses a bad verb, a bad format and a missing file (exit 2)", async () => {
    for (const argv of [
      ["shadow", "summary", "x.log"],
      ["shadow", "report", "x.log", "--format", "sarif"],
      ["shadow", "report", "x.log", "--examples", "many"],
      ["shadow", "report", "missing.log"],
    ]) {
      const io = memoryIo({ "x.log": LOG });
      assert.equal(await main(argv, io), 2, argv.join(" "));
      assert.match(io.stderr.join(""), /^error: /);
    }
  });
});
