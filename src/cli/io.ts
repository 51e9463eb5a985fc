/** The CLI's window on the world, so commands are testable without a process. */
import { readFile, writeFile } from "node:fs/promises";

export interface Io {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when stdout is a terminal (colour, progress). */
  readonly isTty: boolean;
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
}

/** The real process. */
export function processIo(): Io {
  return {
    cwd: process.cwd(),
    env: process.env,
    isTty: process.stdout.isTTY === true,
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    readFile: (path) => readFile(path, "utf8"),
    writeFile: (path, text) => writeFile(path, text, "utf8"),
  };
}

/** An in-memory Io for tests: files from a map, output captured. */
export function memoryIo(files: Record<string, string> = {}): Io & {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly files: Map<string, string>;
} {
  const stored = new Map(Object.entries(files));
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
    readFile: async (path) => {
      const text = stored.get(path);
      if (text === undefined) {
        throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
      }
      return text;
    },
    writeFile: async (path, text) => void stored.set(path, text),
  };
}
