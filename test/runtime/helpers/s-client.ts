/** `openssl s_client` driven from a test: load-robust (no fixed delays), bounded in time. */
import { spawn } from "node:child_process";

/** What one s_client run printed, and whether the answer the test waited for came. */
export interface SClientRun {
  /** stdout then stderr. */
  readonly output: string;
  /** The `until` predicate matched stdout before s_client exited. */
  readonly answered: boolean;
}

const DEADLINE_MS = 10_000;

/**
 * Runs `openssl s_client ARGS`, writes `input`, and resolves once s_client exits. Stdin stays
 * open until `until(stdout)` holds (closing it earlier makes s_client hang up before the
 * answer), then is closed so s_client exits; a refused connection ends it by itself. After
 * 10 s it is killed: never a fixed delay, which a loaded machine overruns.
 */
export function sClientRun(
  args: readonly string[],
  input: string,
  until: (stdout: string) => boolean,
  openssl = "openssl",
): Promise<SClientRun> {
  return new Promise((resolve) => {
    const child = spawn(openssl, ["s_client", ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let answered = false;
    const deadline = setTimeout(() => {
      child.stdin.end();
      child.kill();
    }, DEADLINE_MS);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!answered && until(stdout)) {
        answered = true;
        child.stdin.end();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", () => {
      clearTimeout(deadline);
      resolve({ output: `${stdout}\n${stderr}`, answered });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.write(input);
  });
}

/** Sends `input` (a line) and waits for the same line to come back: a byte-stream echo. */
export async function sClient(args: readonly string[], input: string): Promise<string> {
  const expected = input.trim();
  const run = await sClientRun(
    args,
    input,
    (stdout) => expected !== "" && stdout.split("\n").some((line) => line.trim() === expected),
  );
  return run.output;
}
