/**
 * Reload triggers: SIGHUP and policy-file changes (fs.watch on the files' directories, since
 * editors replace files by rename, debounced so one save is one reload).
 */
import { watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";

/** Stops watching. */
export type StopWatching = () => void;

/** Calls `onChange` once per burst of changes to any of `files`. */
export function watchFiles(
  files: readonly string[],
  debounceMs: number,
  onChange: () => void,
): StopWatching {
  const byDir = new Map<string, Set<string>>();
  for (const file of files) {
    const full = resolve(file);
    const names = byDir.get(dirname(full)) ?? new Set<string>();
    names.add(basename(full));
    byDir.set(dirname(full), names);
  }
  let timer: NodeJS.Timeout | undefined;
  const trigger = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
  };
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    const watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (name === null || names.has(name.toString())) trigger();
    });
    watcher.on("error", () => undefined);
    watchers.push(watcher);
  }
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}

/** Installs SIGHUP/SIGTERM/SIGINT handlers; returns a function that removes them. */
export function handleSignals(
  onReload: () => void,
  onShutdown: (signal: string) => void,
): () => void {
  const hup = (): void => onReload();
  const term = (): void => onShutdown("SIGTERM");
  const int = (): void => onShutdown("SIGINT");
  process.on("SIGHUP", hup);
  process.on("SIGTERM", term);
  process.on("SIGINT", int);
  return () => {
    process.off("SIGHUP", hup);
    process.off("SIGTERM", term);
    process.off("SIGINT", int);
  };
}
