/** IPC with the child processes the scale-out tests start. */
import type { ChildProcess } from "node:child_process";

/**
 * Waits for one IPC message that `accept` takes. Rejects when the child reports an `error`,
 * exits first, or stays silent for `timeoutMs` (a bound for a hang, generous: a cluster starting
 * on a busy 2-core machine took over 15 s); every listener is removed either way.
 */
export function nextMessage<T>(
  child: ChildProcess,
  accept: (m: Record<string, unknown>) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`no answer from the child process in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (m: Record<string, unknown>): void => {
      if ("error" in m) finish(new Error(String(m["error"])));
      else if (accept(m)) finish(null, m as T);
    };
    const onExit = (code: number | null): void =>
      finish(new Error(`the child process exited with ${String(code)}`));
    function finish(error: Error | null, value?: T): void {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (error === null) resolve(value as T);
      else reject(error);
    }
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}
