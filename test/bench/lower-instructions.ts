/**
 * Instructions of the lower phase alone (`lowerToIr`) on the parse bench's 10,000-tunnel,
 * 10,000-grant policy, for this tree and, with RAMPART_BENCH_BASELINE=<checkout root>, that
 * one: a count the machine's load does not move, for side-by-side comparisons while the
 * machine is shared (issue #19).
 *
 * Each tree runs in one process under callgrind with instrumentation off; the process parses,
 * waits on a named pipe while instrumentation is switched on (`callgrind_control -i on`),
 * lowers, and waits again while it is switched off. So the count is lowering's own, with the
 * garbage collection and JIT compilation that run during it (on every thread), and nothing of
 * start-up or parsing (subtracting a parse-only run was as noisy as the differences measured).
 *
 *   node test/bench/lower-instructions.ts [dsl|json]
 *
 * Needs valgrind (callgrind_control comes with it). One run takes minutes.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BATCH_HEAP_FLAGS } from "../../src/cli/batch-heap.ts";
import { writeLargePolicy } from "./large-commands.ts";
import { benchTrees, loadFrontEnd } from "./trees.ts";

const args = process.argv.slice(2);

/** In the child: parse, wait, lower, wait (the parent switches counting on and off). */
async function child(root: string, file: string, fifo: string): Promise<void> {
  const { parsePolicySource, lowerToIr } = await loadFrontEnd(root);
  const name = file.endsWith(".json") ? "large.json" : "large.rampart";
  const ast = parsePolicySource({ name, text: readFileSync(file, "utf8") }).value;
  process.stderr.write(`READY ${process.pid}\n`);
  readFileSync(fifo);
  const ir = lowerToIr(ast);
  process.stderr.write(`DONE ${ir.diagnostics.length}\n`);
  readFileSync(fifo);
}

/** Resolves with the text of `stream` once `marker` appears in it (or rejects at the end). */
function waitFor(text: () => string, marker: string, exited: () => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const line = text()
        .split("\n")
        .find((l) => l.startsWith(marker));
      if (line !== undefined) {
        clearInterval(poll);
        resolve(line);
      } else if (exited()) {
        clearInterval(poll);
        reject(new Error(`lower-instructions child ended before ${marker}: ${text().slice(-500)}`));
      }
    }, 200);
  });
}

/** Lowering's instructions in `root` on `file`, counted by callgrind. */
async function count(root: string, file: string, dir: string): Promise<number> {
  const fifo = join(dir, `fifo-${Math.random().toString(36).slice(2)}`);
  spawnSync("mkfifo", [fifo]);
  const child = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      "--instr-atstart=no",
      "--callgrind-out-file=/dev/null",
      process.execPath,
      ...BATCH_HEAP_FLAGS,
      import.meta.filename,
      "--child",
      root,
      file,
      fifo,
    ],
    {
      env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  let exited = false;
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<void>((resolve) => child.on("close", () => resolve()));
  child.on("close", () => (exited = true));
  const pid =
    (
      await waitFor(
        () => stderr,
        "READY",
        () => exited,
      )
    ).split(" ")[1] ?? "";
  spawnSync("callgrind_control", ["-i", "on", pid]);
  writeFileSync(fifo, "go\n");
  await waitFor(
    () => stderr,
    "DONE",
    () => exited,
  );
  spawnSync("callgrind_control", ["-i", "off", pid]);
  writeFileSync(fifo, "go\n");
  await done;
  const collected = /Collected : (\d+)/.exec(stderr);
  if (collected === null) throw new Error(`no callgrind count: ${stderr.slice(-500)}`);
  return Number(collected[1]);
}

if (args[0] === "--child") {
  await child(args[1] ?? ".", args[2] ?? "", args[3] ?? "");
} else {
  const json = args.includes("json");
  const dir = mkdtempSync(join(tmpdir(), "rampart-lower-ir-"));
  try {
    writeLargePolicy(dir);
    const file = join(dir, json ? "large.json" : "large.rampart");
    for (const [name, root] of benchTrees()) {
      const instructions = await count(root, file, dir);
      console.log(
        `${name}: lower ${(instructions / 1e6).toFixed(0)} M instructions ` +
          `(${json ? "JSON" : "DSL"}; ${root})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
