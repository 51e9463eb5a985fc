/** `rampart bundle serve DIR`: a small control plane serving signed bundles to a fleet. */
import { createBundleServer } from "../bundle-server.ts";
import { parseCommandArgs, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";

export const bundleHelp = `rampart bundle serve DIR [--listen HOST:PORT]

Serves the files of DIR over HTTP for \`rampart serve --bundle-url\` (tests and small
setups): GET/HEAD, strong ETags, 304 for an unchanged file. Publish a new signed bundle
by writing it next to the old one and renaming it over it. Default --listen
127.0.0.1:8780. Stops on SIGTERM/SIGINT.
Exit codes: 0 stopped, 2 usage error or the address is in use.`;

export async function bundle(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(argv, { listen: { type: "string" } });
  const [verb, dir, ...rest] = positionals;
  if (verb !== "serve" || dir === undefined || rest.length > 0)
    throw new UsageError("usage: rampart bundle serve DIR [--listen HOST:PORT]");
  const listen = typeof values["listen"] === "string" ? values["listen"] : "127.0.0.1:8780";
  const match = /^(.*):(\d{1,5})$/.exec(listen);
  if (match === null) throw new UsageError("--listen takes HOST:PORT");
  const host = (match[1] ?? "").replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
  const server = createBundleServer(dir);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(Number(match[2]), host, resolve);
    });
  } catch (error) {
    throw new UsageError(`cannot listen on ${listen}: ${(error as Error).message}`);
  }
  io.err(`rampart: bundle server on ${JSON.stringify(server.address())} serving ${dir}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  return ExitCode.Ok;
}
