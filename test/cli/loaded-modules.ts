/**
 * Which modules a `rampart` process loaded: passed as `node --import LIST_LOADED_MODULES`, it
 * records every module URL Node loads and prints them to stderr as the process exits, beside
 * the command's own output.
 */
export const LIST_LOADED_MODULES = `data:text/javascript,${encodeURIComponent(
  [
    'import module from "node:module";',
    "const urls = new Set();",
    "module.registerHooks({ load(url, context, next) { urls.add(url); return next(url, context); } });",
    'process.on("exit", () => process.stderr.write("loaded " + JSON.stringify([...urls]) + "\\n"));',
  ].join("\n"),
)}`;

/** The module URLs a process run with LIST_LOADED_MODULES printed; undefined when it did not. */
export function loadedModules(stderr: string): string[] | undefined {
  const line = /^loaded (.*)$/m.exec(stderr)?.[1];
  return line === undefined ? undefined : (JSON.parse(line) as string[]);
}
