// `rampart compile --target esm` (issue #21): policy text reaches the generated module only
// through jsStringLiteral; the module imports nothing, needs no eval, and decides exactly as
// the reference interpreter does (≥ 100,000 decisions, in a child process with code
// generation from strings disallowed).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createContext, runInContext } from "node:vm";
import fc from "fast-check";
import { allMappings, fromMap } from "@jridgewell/gen-mapping";
import { jsStringLiteral } from "../../../src/compile/esm/js-literal.ts";
import { emitEsmModule } from "../../../src/compile/esm/emit-module.ts";
import { bundleEsmEngine } from "../../../src/compile/esm/engine-source.ts";
import { arbEffectivePolicy } from "../../../src/testkit/index.ts";
import type { EffectivePolicy } from "../../../src/bounds/effective.ts";

const root = join(import.meta.dirname, "..", "..", "..");

/** Strings built from the pieces that break out of literals, comments and script tags. */
const hostileString = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', "'", "`", "\\", "</script>", "<!--", "-->", "*/", "/*", "${", "\u2028"),
      fc.constantFrom(
        "\u2029",
        "\n",
        "\r",
        "\0",
        "\u{1F600}",
        "\uD800",
        "\\u0022",
        "');alert(1);//",
      ),
      fc.string({ unit: "binary" }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""));

describe("jsStringLiteral: the one escaping helper of generated code", () => {
  const sandbox = createContext({});
  it("evaluates to exactly the input, as JSON and as JavaScript, with no unsafe character", () => {
    fc.assert(
      fc.property(hostileString, (text) => {
        const literal = jsStringLiteral(text);
        assert.equal(JSON.parse(literal), text);
        // A literal that broke out would not evaluate to one string equal to the input.
        assert.equal(runInContext(`(${literal})`, sandbox), text);
        assert.doesNotMatch(literal, /[<\u2028\u2029\n\r]/);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe("rampart compile --target esm", () => {
  it("writes a module with no imports whose policy strings survive hostile text unchanged", async () => {
    const engine = await bundleEsmEngine(true);
    const base = fc.sample(arbEffectivePolicy(), { numRuns: 1, seed: 3 })[0] as EffectivePolicy;
    const names = fc.sample(hostileString, { numRuns: 20, seed: 5 });
    for (const name of names) {
      const policy: EffectivePolicy = {
        ...base,
        projectId: name,
        tunnels: base.tunnels.map((t) => ({ ...t, name, labels: { [name]: name } })),
      };
      const code = emitEsmModule([policy], [], engine).code;
      assert.doesNotMatch(code, /^\s*import\s/m, "the module imports nothing");
      assert.doesNotMatch(code, /<\/script/i);
      const url = `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`;
      const module = (await import(url)) as {
        policies: readonly { policy: EffectivePolicy }[];
      };
      const loaded = module.policies[0]?.policy;
      assert.equal(loaded?.projectId, name);
      for (const t of loaded?.tunnels ?? []) {
        assert.equal(t.name, name);
        assert.deepEqual(t.labels, { [name]: name });
      }
    }
  });

  it("the CLI writes the module and its declarations; the module loads with eval disallowed", () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-esm-"));
    try {
      const out = join(dir, "decide.mjs");
      const compiled = spawnSync(
        process.execPath,
        [
          join(root, "src/cli/bin.js"),
          "compile",
          "--target",
          "esm",
          "--minify",
          "-o",
          out,
          "fixtures/policies/acme.rampart",
        ],
        { cwd: root, encoding: "utf8", timeout: 120_000 },
      );
      assert.equal(compiled.status, 0, compiled.stderr);
      assert.match(compiled.stderr, /wrote .*decide\.mjs/);
      assert.match(readFileSync(join(dir, "decide.d.mts"), "utf8"), /export declare const request/);
      // The source map leads the line of each tunnel's literal to the tunnel in the policy.
      const code = readFileSync(out, "utf8");
      assert.match(code, /\/\/# sourceMappingURL=decide\.mjs\.map\n$/);
      const policyText = readFileSync(join(root, "fixtures/policies/acme.rampart"), "utf8");
      const policyLines = policyText.split("\n");
      const codeLines = code.split("\n");
      const mapped = allMappings(fromMap(readFileSync(`${out}.map`, "utf8")));
      const tunnelLines = mapped.filter((m) =>
        codeLines[m.generated.line - 1]?.includes('\\"hosts\\"'),
      );
      assert.equal(tunnelLines.length, 5, "one mapping per tunnel");
      for (const m of tunnelLines) {
        const line = policyLines[(m.original?.line ?? 0) - 1] ?? "";
        const id = /\\"id\\":\\"([^\\]+)\\"/.exec(codeLines[m.generated.line - 1] ?? "")?.[1];
        assert.equal(line.trim(), `tunnel "${id}" {`);
        assert.match(m.source ?? "", /fixtures\/policies\/acme\.rampart$/);
      }
      const probe = `const m = await import(${JSON.stringify(out)});
        const d = m.request({ host: "nope.test" });
        process.stdout.write(JSON.stringify({ keys: Object.keys(m).sort(), status: d.status }));`;
      const run = spawnSync(
        process.execPath,
        ["--disallow-code-generation-from-strings", "--input-type=module", "-e", probe],
        { encoding: "utf8", timeout: 60_000 },
      );
      assert.equal(run.status, 0, run.stderr);
      const result = JSON.parse(run.stdout) as { keys: string[]; status: number };
      assert.deepEqual(result.keys, [
        "controlPlanes",
        "create",
        "handshake",
        "list",
        "policies",
        "request",
        "watch",
      ]);
      assert.equal(result.status, 404, "an unknown host is no_route, as with a bundle");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("decides requests, handshakes, create, list and watch like the interpreter (≥ 100,000 decisions), without eval", () => {
    const run = spawnSync(
      process.execPath,
      [
        "--disallow-code-generation-from-strings",
        join(import.meta.dirname, "differential-child.ts"),
        "50",
        "2000",
        String(Date.now() % 1_000_000),
        "200",
      ],
      { encoding: "utf8", timeout: 600_000, maxBuffer: 64 * 1024 * 1024 },
    );
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout) as {
      evalBlocked: boolean;
      decisions: number;
      mismatch: unknown;
    };
    assert.ok(result.evalBlocked, "the child runs with code generation from strings disallowed");
    assert.equal(result.mismatch, null, JSON.stringify(result.mismatch));
    assert.ok(result.decisions >= 100_000, `${result.decisions} decisions compared`);
  });
});
