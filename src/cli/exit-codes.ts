/**
 * Exit codes are part of the CLI's API (documented in `--help` and the README):
 * 0 nothing found, 1 the check found something (errors, failed tests, widening), 2 usage or
 * I/O, 3 an internal error (a bug in rampart), 4 `diff` stopped at its time limit
 * (`--max-time`) before comparing everything.
 */
export const ExitCode = {
  Ok: 0,
  Findings: 1,
  Usage: 2,
  Internal: 3,
  TimeLimit: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
