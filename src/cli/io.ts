/** The CLI's window on the world, so commands are testable without a process. */
import { closeSync, openSync, writeSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";

/** A file that could not be written: an I/O problem (exit 2), never an internal error. */
export class UnwritableFile extends Error {
  constructor(path: string, error: unknown) {
    const code = (error as { code?: unknown } | null)?.code;
    const reason =
      code === "ENOENT"
        ? "its folder does not exist"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a directory"
            : String(code ?? error);
    super(`cannot write \`${path}\`: ${reason}`);
  }
}

/**
 * A file that could not be read: a usage/I-O problem (exit 2), not a finding. Here rather than
 * with the policy reader so that the dispatcher can recognise it without loading the pipeline.
 */
export class UnreadableFile extends Error {
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`cannot read \`${path}\`: ${reason}`);
    this.path = path;
  }
}

export interface Io {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when stdout is a terminal (colour, progress). */
  readonly isTty: boolean;
  /** True when stderr is a terminal (progress lines); absent counts as false. */
  readonly stderrIsTty?: boolean;
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): Promise<string>;
  /** A file's bytes, for a reader that keeps them beside the text (`readSource`). */
  readFileBytes(path: string): Promise<Buffer>;
  /**
   * Writes a file: a text, or its UTF-8 bytes in chunks one after the other (a bundle of
   * 10,000 tunnels, tens of MB, is written as bytes and never made a string).
   */
  writeFile(path: string, text: string | readonly Uint8Array[]): Promise<void>;
}

/** The real process. */
export function processIo(): Io {
  return {
    cwd: process.cwd(),
    env: process.env,
    isTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    // The bytes, then one decode: with an encoding, `readFile` decodes each 512 KB chunk apart
    // and joins the pieces, which the parser then copies again into one flat string.
    readFile: async (path) => (await readFile(path)).toString("utf8"),
    readFileBytes: (path) => readFile(path),
    writeFile: async (path, text) => {
      try {
        if (typeof text === "string") await writeFile(path, text, "utf8");
        else writeChunksSync(path, text);
      } catch (error) {
        throw new UnwritableFile(path, error);
      }
    },
  };
}

/**
 * Resolves once everything written to stdout and stderr is handed to the OS. Writes to a pipe
 * are asynchronous: a process that exits right after a command (as `bin.js` does) cut its
 * output at the pipe's buffer size (64 KB) when read through `|`.
 */
export async function drainOutput(): Promise<void> {
  await Promise.all([drain(process.stdout), drain(process.stderr)]);
}

function drain(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  // The callback of a write runs after every earlier write is flushed, or with the error
  // that ended the stream (a reader that went away: `| head`).
  return new Promise((resolve) => stream.write("", () => resolve()));
}

/**
 * A reader that goes away before the output ends (`rampart convert … | head`) is not an error
 * of the command: the rest of the output is dropped, as other command-line tools do, instead
 * of an unhandled EPIPE with a stack trace.
 */
export function ignoreClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
}

/**
 * Writes chunks of bytes to a file in turn. Synchronously: a command's output file is its last
 * step, and `fs/promises` writes each chunk as a round trip through libuv's thread pool (an
 * iterable of the 416 pieces of a 10,000-tunnel bundle cost ~100 ms against ~10 ms, issue #19).
 */
function writeChunksSync(path: string, chunks: readonly Uint8Array[]): void {
  const fd = openSync(path, "w");
  try {
    for (const chunk of chunks) {
      // A write may take fewer bytes than given (a full disk reports itself on the next one).
      for (let done = 0; done < chunk.length;) done += writeSync(fd, chunk, done);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * An in-memory Io for tests: files from a map, output captured. A file given as bytes is read
 * as those bytes (one that is not UTF-8, say); written files are kept as text.
 */
export function memoryIo(files: Record<string, string | Uint8Array> = {}): Io & {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly files: Map<string, string>;
} {
  const stored = new Map<string, string>();
  const bytes = new Map<string, Buffer>();
  for (const [path, content] of Object.entries(files)) {
    if (typeof content === "string") stored.set(path, content);
    else bytes.set(path, Buffer.from(content));
  }
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    cwd: "/",
    env: {},
    isTty: false,
    stdout,
    stderr,
    files: stored,
    out: (text) => void stdout.push(text),
    err: (text) => void stderr.push(text),
    readFile: async (path) => bytes.get(path)?.toString("utf8") ?? storedText(stored, path),
    readFileBytes: async (path) => bytes.get(path) ?? Buffer.from(storedText(stored, path), "utf8"),
    writeFile: async (path, text) => {
      bytes.delete(path);
      stored.set(path, typeof text === "string" ? text : Buffer.concat(text).toString("utf8"));
    },
  };
}

/** A file of an in-memory Io, or the error a missing file gives. */
function storedText(stored: ReadonlyMap<string, string>, path: string): string {
  const text = stored.get(path);
  if (text === undefined) {
    throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
  }
  return text;
}
