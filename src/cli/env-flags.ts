/**
 * Command flags settable from the environment: every flag `--some-flag` of a command is also
 * `RAMPART_SOME_FLAG`, derived from the command's one option table, so a flag added to the
 * table gets its variable with nothing else to write. A flag on the command line wins over
 * the variable. Lists (repeatable flags) are written space-separated; a boolean is `1`/`true`
 * or `0`/`false`.
 */
import type { ParseArgsConfig } from "node:util";
import { UsageError } from "./args.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values = Record<string, string | boolean | string[] | undefined>;

/** The environment variable of a flag: `forward-auth` → `RAMPART_FORWARD_AUTH`. */
export function envVarOf(flag: string): string {
  return `RAMPART_${flag.toUpperCase().replaceAll("-", "_")}`;
}

function fromText(
  flag: string,
  option: Options[string],
  text: string,
): string | boolean | string[] {
  if (option.type === "boolean") {
    if (/^(1|true)$/i.test(text)) return true;
    if (/^(0|false)?$/i.test(text)) return false;
    throw new UsageError(`${envVarOf(flag)} takes 1, true, 0 or false, not \`${text}\``);
  }
  return option.multiple === true ? text.split(/\s+/).filter((item) => item !== "") : text;
}

/** `values` from the command line, completed from the environment for flags not given. */
export function withEnvironment(
  values: Values,
  options: Options,
  env: Readonly<Record<string, string | undefined>>,
): Values {
  const merged: Values = { ...values };
  for (const [flag, option] of Object.entries(options)) {
    const text = env[envVarOf(flag)];
    if (merged[flag] === undefined && text !== undefined) {
      merged[flag] = fromText(flag, option, text.trim());
    }
  }
  return merged;
}
