/**
 * Running npm and the packed package from tests: npm is the one that runs the test script
 * (`npm_execpath`) under this Node, or `npm` on PATH; every call is bounded in time.
 */
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const exec = promisify(execFile);

export const REPO = fileURLToPath(new URL("../..", import.meta.url));

/** PATH with this Node (24) first, so the package's `#!/usr/bin/env node` bin runs on it. */
export const NODE_PATH_ENV = {
  ...process.env,
  PATH: `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}`,
};

export interface Ran {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program; rejects with its output when it fails or outlives `timeoutMs`. */
export async function run(
  file: string,
  args: readonly string[],
  cwd: string,
  timeoutMs = 120_000,
  env: NodeJS.ProcessEnv = NODE_PATH_ENV,
): Promise<Ran> {
  try {
    return await exec(file, [...args], { cwd, env, timeout: timeoutMs, maxBuffer: 32 << 20 });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(" ")} failed: ${e.message}\n${e.stdout}\n${e.stderr}`);
  }
}

/** Runs npm with `args` in `cwd`. */
export function npm(args: readonly string[], cwd: string, timeoutMs?: number): Promise<Ran> {
  const cli = process.env["npm_execpath"];
  return cli !== undefined && cli.endsWith(".js")
    ? run(process.execPath, [cli, ...args], cwd, timeoutMs)
    : run("npm", args, cwd, timeoutMs);
}

/** Packs the repository (npm runs `prepare`, the build) into `destination`; the tarball path. */
export async function packRepository(destination: string): Promise<string> {
  const { stdout } = await npm(
    ["pack", "--json", "--pack-destination", destination],
    REPO,
    300_000,
  );
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf("[\n"))) as { filename: string }[];
  if (packed === undefined) throw new Error(`npm pack printed no file: ${stdout}`);
  return join(destination, packed.filename);
}
