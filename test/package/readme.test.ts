/**
 * The README's commands work as written (issue #16): every `npx rampart …` line of its shell
 * blocks runs, in order, in a scratch folder that sees the repository's fixtures, and exits 0;
 * `serve` lines run until they listen (their ports made 0) and stop cleanly on SIGTERM. `…`
 * stands for a secret the reader supplies. The two commands stay what CI runs. The library
 * example runs against the installed package in consumer.test.ts.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { NODE_PATH_ENV, REPO } from "./npm.ts";

const README = readFileSync(join(REPO, "README.md"), "utf8");
const SECRET = "readme-secret-0123456789abcdef0123456789";

/** The lines of every ```sh block, continuation lines joined, with their trailing comments. */
export function shellLines(markdown: string): { command: string; comment: string }[] {
  const blocks = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "");
  return blocks.flatMap((block) =>
    block
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .map((line) => {
        const at = line.search(/\s+# /);
        return at < 0
          ? { command: line.trim(), comment: "" }
          : { command: line.slice(0, at).trim(), comment: line.slice(at).trim() };
      })
      .filter((line) => line.command !== ""),
  );
}

const work = mkdtempSync(join(tmpdir(), "rampart-readme-"));
const bin = join(work, ".bin");
mkdirSync(bin);
symlinkSync(join(REPO, "bin", "rampart.js"), join(bin, "rampart"));
symlinkSync(join(REPO, "fixtures"), join(work, "fixtures"));
after(() => rmSync(work, { recursive: true, force: true }));

const ENV = { ...NODE_PATH_ENV, PATH: `${bin}:${NODE_PATH_ENV.PATH}` };

/** Runs one README line in bash; a `serve` line until it listens, then SIGTERM. */
async function runLine(line: string): Promise<{ code: number | null; output: string }> {
  const serving = / rampart serve\b/.test(line);
  const command = line
    .replaceAll("…", SECRET)
    .replaceAll("npx rampart", "rampart")
    .replace(/(127\.0\.0\.1):\d+/g, "$1:0");
  const child = spawn("bash", ["-c", serving ? `exec env ${command}` : command], {
    cwd: work,
    env: ENV,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let stopping = false;
  const exited = once(child, "exit");
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    // Stop once it serves; a moment later, so that every listener it prints is up.
    if (serving && !stopping && /listening on/.test(output)) {
      stopping = true;
      setTimeout(() => child.kill("SIGTERM"), 1_000);
    }
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const [code] = (await exited) as [number | null];
  clearTimeout(timer);
  return { code, output };
}

describe("README.md (issue #16)", { timeout: 600_000 }, () => {
  const lines = shellLines(README);
  const commands = lines.map((line) => line.command);

  it("keeps the two commands, and CI runs exactly the test command after a clean install", () => {
    assert.deepEqual(commands.slice(0, 2), ["npm ci && npm start", "npm test"]);
    const ci = readFileSync(join(REPO, ".ci", "run"), "utf8");
    assert.match(ci, /^npm ci\nnpm test\n$/m);
  });

  const rampartLines = lines.filter((line) => /\bnpx rampart\b/.test(line.command));
  it("has rampart commands to run", () => assert.ok(rampartLines.length >= 10));
  for (const { command, comment } of rampartLines) {
    // A line whose comment says `else RPxxxx` shows that refusal: exit 1 with that code.
    const refusal = /\belse (RP\d{4})\b/.exec(comment)?.[1];
    it(`runs: ${command}`, async () => {
      const { code, output } = await runLine(command);
      if (refusal === undefined) assert.equal(code, 0, output);
      else {
        assert.equal(code, 1, output);
        assert.match(output, new RegExp(`\\b${refusal}\\b`));
      }
    });
  }
});
