/**
 * The `rampart` command: dispatches to one file per command. Commands are imported lazily so
 * `rampart lint` never loads the proxy runtime. Bad input is reported as diagnostics, usage
 * errors as one line and exit 2; only a bug shows RP9001 (with the stack under --debug).
 */
import { InternalError } from "../diagnostics/diagnostic.ts";
import { TOOL_NAME, TOOL_VERSION } from "../diagnostics/tool.ts";
import { UsageError } from "./args.ts";
import { ExitCode } from "./exit-codes.ts";
import type { Io } from "./io.ts";
import { UnreadableFile, UnwritableFile } from "./io.ts";

type Command = (argv: readonly string[], io: Io) => Promise<ExitCode>;

interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<{ run: Command; help: string }>;
}

const commands: Readonly<Record<string, CommandEntry>> = {
  lint: {
    summary: "check policy files and report diagnostics",
    load: async () => {
      const m = await import("./commands/lint.ts");
      return { run: m.lint, help: m.lintHelp };
    },
  },
  fmt: {
    summary: "format policy files canonically",
    load: async () => {
      const m = await import("./commands/fmt.ts");
      return { run: m.fmt, help: m.fmtHelp };
    },
  },
  convert: {
    summary: "convert a policy between the DSL and JSON",
    load: async () => {
      const m = await import("./commands/convert.ts");
      return { run: m.convert, help: m.convertHelp };
    },
  },
  test: {
    summary: "run the tests written in policy files",
    load: async () => {
      const m = await import("./commands/test.ts");
      return { run: m.test, help: m.testHelp };
    },
  },
  explain: {
    summary: "decide one request and show why",
    load: async () => {
      const m = await import("./commands/explain.ts");
      return { run: m.explain, help: m.explainHelp };
    },
  },
  compile: {
    summary: "compile policies into a bundle for the runtime",
    load: async () => {
      const m = await import("./commands/compile.ts");
      return { run: m.compile, help: m.compileHelp };
    },
  },
  serve: {
    summary: "run the edge proxy with compiled policies",
    load: async () => {
      const m = await import("./commands/serve.ts");
      return { run: m.serve, help: m.serveHelp };
    },
  },
  token: {
    summary:
      "mint community tokens from a policy's grant; inspect what a token may do; revoke tokens fleet-wide",
    load: async () => {
      const m = await import("./commands/token.ts");
      return { run: m.token, help: m.tokenHelp };
    },
  },
  bundle: {
    summary: "serve signed bundles to a fleet (a small control plane)",
    load: async () => {
      const m = await import("./commands/bundle.ts");
      return { run: m.bundle, help: m.bundleHelp };
    },
  },
  shadow: {
    summary: "summarize what a shadow rollout (serve --shadow) saw: `shadow report LOG`",
    load: async () => {
      const m = await import("./commands/shadow.ts");
      return { run: m.shadow, help: m.shadowHelp };
    },
  },
  diff: {
    summary: "show which requests a policy change newly allows or denies",
    load: async () => {
      const m = await import("./commands/diff.ts");
      return { run: m.diff, help: m.diffHelp };
    },
  },
};

/** Every command's name, as typed after `rampart`. */
export const commandNames: readonly string[] = Object.keys(commands);

export const mainHelp = (): string =>
  [
    "rampart — edge access policies, compiled",
    "",
    "usage: rampart <command> [options]",
    "",
    "commands:",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`),
    "",
    "Run `rampart <command> --help` for a command's options.",
    "Exit codes: 0 ok, 1 the check found something, 2 usage or I/O error, 3 internal error.",
    "",
  ].join("\n");

function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

/** Runs the CLI with argv (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<ExitCode> {
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  const [name, ...rest] = args;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.out(mainHelp());
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (name === "--version" || name === "version") {
    io.out(`${TOOL_NAME} ${TOOL_VERSION}\n`);
    return ExitCode.Ok;
  }
  const entry = commands[name];
  if (entry === undefined) {
    io.err(`error: unknown command \`${name}\`\n\n${mainHelp()}`);
    return ExitCode.Usage;
  }
  try {
    const command = await entry.load();
    if (wantsHelp(rest)) {
      io.out(`${command.help}\n`);
      return ExitCode.Ok;
    }
    return await command.run(rest, io);
  } catch (error) {
    return reportFailure(error, name, io, debug);
  }
}

function reportFailure(error: unknown, command: string, io: Io, debug: boolean): ExitCode {
  if (error instanceof UsageError) {
    io.err(`error: ${error.message}\nRun \`rampart ${command} --help\` for usage.\n`);
    return ExitCode.Usage;
  }
  if (error instanceof UnreadableFile || error instanceof UnwritableFile) {
    io.err(`error: ${error.message}\n`);
    return ExitCode.Usage;
  }
  const detail =
    error instanceof InternalError || error instanceof Error ? error.message : String(error);
  io.err(
    `error[RP9001]: internal error: ${detail}\n  = help: this is a bug in rampart; please report it with the policy that triggered it\n`,
  );
  if (debug && error instanceof Error && error.stack !== undefined) io.err(`${error.stack}\n`);
  return ExitCode.Internal;
}
