/**
 * deploy/Dockerfile (issue #16). hadolint is in neither Debian's archive nor npm (its npm
 * wrapper downloads a binary), so the file is linted with dockerfile-utils (the Docker
 * language service's validator) and reviewed here on its parsed instructions: multi-stage,
 * the final stage non-root and writing nothing (so `--read-only` works), every COPY source
 * present in the repository, and the build stage copying every file the build reads.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DockerfileParser } from "dockerfile-ast";
import type { Instruction } from "dockerfile-ast";
import { validate } from "dockerfile-utils";
import { REPO } from "../package/npm.ts";

const TEXT = readFileSync(join(REPO, "deploy", "Dockerfile"), "utf8");
const dockerfile = DockerfileParser.parse(TEXT);
const instructions = dockerfile.getInstructions();

/** The instructions of each stage, in order (a stage starts at its FROM). */
function stages(): Instruction[][] {
  const found: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.getKeyword() === "FROM") found.push([]);
    found.at(-1)?.push(instruction);
  }
  return found;
}

const args = (instruction: Instruction): string[] =>
  instruction.getArguments().map((a) => a.getValue());

describe("deploy/Dockerfile (issue #16)", () => {
  it("has no problem that the Dockerfile validator finds", () => {
    assert.deepEqual(
      validate(TEXT, {}).map((d) => `${d.range.start.line + 1}: ${d.message}`),
      [],
    );
  });

  it("is multi-stage from a pinned Node 24 image, and only the last stage is the image", () => {
    const froms = dockerfile.getFROMs();
    assert.ok(froms.length >= 2);
    for (const from of froms) assert.match(from.getImage() ?? "", /^node:24[-.\w]*$/);
    const last = stages().at(-1) ?? [];
    const copies = last.filter((i) => i.getKeyword() === "COPY");
    assert.ok(copies.length > 0);
    for (const copy of copies) assert.match(copy.getTextContent(), /^COPY --from=\w+ /);
  });

  it("runs as the unprivileged node user, with an entrypoint of rampart serve", () => {
    const last = stages().at(-1) ?? [];
    const user = last.filter((i) => i.getKeyword() === "USER").map((i) => args(i)[0]);
    assert.deepEqual(user, ["node"]);
    const entry = last.find((i) => i.getKeyword() === "ENTRYPOINT");
    assert.ok(entry !== undefined);
    assert.match(entry.getTextContent(), /"\/opt\/rampart\/node_modules\/\.bin\/rampart", "serve"/);
    assert.ok(last.some((i) => i.getKeyword() === "HEALTHCHECK"));
  });

  it("writes nothing at run time (read-only root): no compile cache, no volume, no RUN", () => {
    const last = stages().at(-1) ?? [];
    assert.deepEqual(
      last.filter((i) => ["RUN", "VOLUME"].includes(i.getKeyword())).map((i) => i.getKeyword()),
      [],
    );
    const env = last.find((i) => i.getKeyword() === "ENV")?.getTextContent() ?? "";
    assert.match(env, /NODE_DISABLE_COMPILE_CACHE=1/);
    // Every serve option the image sets is one that serve reads from the environment.
    assert.match(env, /RAMPART_BUNDLE=/);
  });

  it("copies from the repository only files that exist, including every file the build reads", () => {
    const [build] = stages();
    const sources = (build ?? [])
      .filter((i) => i.getKeyword() === "COPY")
      .flatMap((i) =>
        args(i)
          .slice(0, -1)
          .filter((a) => !a.startsWith("--")),
      );
    for (const source of sources) assert.ok(existsSync(join(REPO, source)), source);
    const buildScript = readFileSync(join(REPO, "scripts", "build.ts"), "utf8");
    const assets = [...buildScript.matchAll(/^\s+"([^"]+)",/gm)].map((m) => m[1] ?? "");
    assert.ok(assets.length > 0);
    for (const needed of ["tsconfig.build.json", "package-lock.json", ...assets]) {
      assert.ok(
        sources.some((s) => needed === s || needed.startsWith(`${s}/`)),
        `the build stage does not copy ${needed}`,
      );
    }
  });
});
