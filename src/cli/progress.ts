/**
 * Progress of long work on a terminal (issue #19): one status line on stderr, redrawn at
 * most every 100 ms and erased when the work ends. Nothing is written when stderr is not a
 * terminal (CI logs, pipes) or with `--quiet`, so output that tools read never changes.
 */
import type { Io } from "./io.ts";

const REDRAW_MS = 100;

/** Reports how far a command got; every method is a no-op when progress is off. */
export interface Progress {
  /** Shows `label` with `done` of `total` (total 0: no count). */
  update(label: string, done?: number, total?: number): void;
  /** Erases the status line. */
  end(): void;
}

const SILENT: Progress = { update: () => {}, end: () => {} };

/** A progress line for the command, or a silent one (not a terminal, or `--quiet`). */
export function progressFor(io: Io, quiet: boolean): Progress {
  if (quiet || io.stderrIsTty !== true) return SILENT;
  let last = 0;
  let shown = false;
  return {
    update(label, done = 0, total = 0) {
      const now = Date.now();
      if (shown && now - last < REDRAW_MS && done !== total) return;
      last = now;
      shown = true;
      const count = total > 0 ? ` ${done}/${total} (${Math.floor((100 * done) / total)}%)` : "";
      io.err(`\r\x1b[2K${label}${count}`);
    },
    end() {
      if (shown) io.err("\r\x1b[2K");
      shown = false;
    },
  };
}

/** `[2/5] ` before a file's stages when a command reads several files, else nothing. */
export function fileOf(index: number, count: number): string {
  return count > 1 ? `[${index + 1}/${count}] ` : "";
}
