/** Messages from a forked bench role (`process.send`), awaited one kind at a time. */
import type { ChildProcess } from "node:child_process";

/**
 * Resolves with the child's first message that `accept` takes (any, by default); rejects if
 * the child exits before sending one.
 */
export function waitFor<T>(
  child: ChildProcess,
  accept: (message: Record<string, unknown>) => boolean = () => true,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: Record<string, unknown>): void => {
      if (!accept(message)) return;
      child.off("message", onMessage);
      resolve(message as T);
    };
    child.on("message", onMessage);
    child.once("exit", (code) => reject(new Error(`role exited with ${String(code)}`)));
  });
}
