/**
 * The V8 heap of a one-shot command. Node sizes V8's young generation from the machine's
 * memory; here each of its two semi-spaces may grow to 64 MB. A command such as `rampart lint`
 * keeps nearly everything it allocates (the document, its spans, the IR), and V8 grows the young
 * generation in step with what survives, so a large policy always drives it to the maximum:
 * 128 MB of nursery, mostly empty, on top of the data. With 16 MB semi-spaces (V8's default
 * before it scaled them with memory) `rampart lint` of 10,000 tunnels and grants peaks ~85 MB
 * lower and is no slower (BENCHMARKS.md, "Parse + lint").
 *
 * V8 reads the size once, when the process starts, so the `rampart` executable runs itself
 * again with the flag (`process.execve`: same process id, same standard streams, nothing
 * else carried over). That second start of Node costs ~10 % of a small command's time, and a
 * small input never grows the nursery: so only a command whose named files are large, or
 * whose input size is not known beforehand (standard input), runs again. The server keeps
 * Node's sizing: it is long-running and its garbage dies young, which is what a large nursery
 * is for.
 */

/**
 * The V8 flags a batch command runs with: the nursery above and an old generation that starts
 * at 256 MB. A batch command's old generation only grows (what it promotes is its input's
 * document, spans and IR, all live until it exits), so the collections V8 starts on the way up
 * find little to free. From V8's small default, on 10,000 tunnels and grants, two full
 * collections (at ~25 MB and ~95 MB) freed ~20 MB in all and cost ~2.5 % of `lint`'s
 * instructions (callgrind). From 128 MB, `compile` still started incremental marking in its
 * last stage (the bundle text, at ~127 MB): its concurrent marker took the second core and its
 * write barrier slowed the writer. From 256 MB none starts: `compile` took 0.89× the wall time
 * with the same peak RSS (BENCHMARKS.md, "Thirteenth session"). The size is a threshold for
 * starting a collection, not memory taken: what the heap does not use is never touched.
 */
export const BATCH_HEAP_FLAGS: readonly string[] = [
  "--max-semi-space-size=16",
  "--initial-old-space-size=256",
];

/**
 * Commands that read their input, report and exit. `serve` and `bundle` (`bundle serve`), the
 * long-running servers, are the others (`test/cli/batch-heap.test.ts` checks that every
 * command is one or the other).
 */
export const BATCH_COMMANDS: ReadonlySet<string> = new Set([
  "lint",
  "fmt",
  "convert",
  "test",
  "explain",
  "compile",
  "diff",
  "token",
  "shadow",
]);

/**
 * Inputs smaller than this (the files named on the command line, together) run with Node's
 * sizing: up to 3,000 tunnels and grants (1.4 MB of DSL, 3.5 MB of JSON) the peak RSS of
 * `rampart lint` was the same with either sizing, within a few MB (BENCHMARKS.md, "Start-up").
 */
export const BATCH_HEAP_MIN_INPUT_BYTES = 2 * 2 ** 20;

/** What decides whether to run again: the process as started. */
export interface StartedProcess {
  /** The command line after the script: the command name first. */
  readonly argv: readonly string[];
  /** Node's own options (`process.execArgv`). */
  readonly execArgv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The entry script (`process.argv[1]`). */
  readonly script: string;
  /**
   * The size in bytes of each file the command line names (every word that is a file), or
   * nothing when it names none (the input comes from standard input, or is not known).
   */
  readonly namedFileBytes: readonly number[];
}

/** Whether `options` (command-line words or NODE_OPTIONS) already choose a semi-space size. */
function setsSemiSpace(options: string): boolean {
  return /--max[-_]semi[-_]space[-_]size/.test(options);
}

/** Whether Node was started under a debugger, which a new process would make start over. */
function isDebugged(execArgv: readonly string[]): boolean {
  return execArgv.some((option) => option.startsWith("--inspect"));
}

/** Whether the named files are known, and small enough for Node's sizing. */
function isSmallInput(namedFileBytes: readonly number[]): boolean {
  if (namedFileBytes.length === 0) return false;
  return namedFileBytes.reduce((sum, bytes) => sum + bytes, 0) < BATCH_HEAP_MIN_INPUT_BYTES;
}

/**
 * The arguments for Node to run the command again with `BATCH_HEAP_FLAGS`, or `undefined` when
 * it should run as started: not a batch command, a small input, the semi-space size already
 * chosen (by an earlier relaunch, or by the user on the command line or in NODE_OPTIONS), or a
 * debugger attached.
 */
export function batchRelaunchArgs(started: StartedProcess): string[] | undefined {
  const command = started.argv[0];
  if (command === undefined || !BATCH_COMMANDS.has(command)) return undefined;
  if (isSmallInput(started.namedFileBytes)) return undefined;
  if (started.execArgv.some(setsSemiSpace) || isDebugged(started.execArgv)) return undefined;
  if (setsSemiSpace(started.env["NODE_OPTIONS"] ?? "")) return undefined;
  return [...BATCH_HEAP_FLAGS, ...started.execArgv, started.script, ...started.argv];
}

/**
 * Replaces this process with the same command run with `BATCH_HEAP_FLAGS`, when
 * `batchRelaunchArgs` says so. Returns when it does not; also where the platform has no
 * `execve` (Windows), where the command then runs with Node's default sizing.
 */
export function relaunchForBatch(): void {
  const script = process.argv[1];
  if (script === undefined || typeof process.execve !== "function") return;
  const argv = process.argv.slice(2);
  const args = batchRelaunchArgs({
    argv,
    execArgv: process.execArgv,
    env: process.env,
    script,
    namedFileBytes: BATCH_COMMANDS.has(argv[0] ?? "") ? namedFileBytes(argv.slice(1)) : [],
  });
  if (args === undefined) return;
  try {
    process.execve(process.execPath, [process.execPath, ...args]);
  } catch {
    // Not allowed here (a permission model, a sandbox): the command still runs, as started.
  }
}

/** The size of each word of `words` that names a file (relative to the working directory). */
function namedFileBytes(words: readonly string[]): number[] {
  // Not `import … from "node:fs"`: its ES module namespace would load Node's file streams and
  // promises, in a start that the relaunch then throws away (see bin.js).
  const { statSync } = process.getBuiltinModule("node:fs");
  return words.flatMap((word) => {
    if (word.startsWith("-")) return [];
    try {
      const stat = statSync(word, { throwIfNoEntry: false });
      return stat?.isFile() === true ? [stat.size] : [];
    } catch {
      return []; // not readable as a name (too long, not a folder on the way): not a file
    }
  });
}
