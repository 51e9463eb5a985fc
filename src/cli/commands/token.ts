/** `rampart token mint`: community (HS256) tokens carrying a policy's grant. */
import { mintToken } from "../../runtime/tokens/mint.ts";
import type { MintRequest } from "../../runtime/tokens/mint.ts";
import type { TokenType } from "../../ir/types.ts";
import { parseCommandArgs, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { checkPolicyFile } from "../load-policy.ts";
import { reportDiagnostics } from "../report.ts";
import { tokenInspect, tokenInspectHelp } from "./token-inspect.ts";
import { tokenRevoke, tokenRevokeHelp } from "./token-revoke.ts";

export const tokenHelp = `rampart token mint POLICY --grant NAME [--type pat|app|auth] [--lifetime SECONDS]
                   [--subject SUB] [--issuer ISS] [--audience AUD] [--parent TOKEN]
                   [--client-id ID (app tokens)] [--user-id ID (auth tokens)] [--platform]

Mints a community-backend token (HS256, secret from RAMPART_TOKEN_SECRET) whose
permissions and resources are the named grant of the policy, reduced along its parents.
With --parent, the new token is derived from an existing one: it is refused if it would
widen the parent, and it never outlives it (S-H8). The boundary is narrowed to name the
policy's project (S-T8), so the token is accepted there even when nobody answers membership.
With --platform, only claims the platform itself accepts are written; a grant that needs a
Rampart extension (HTTP methods, prefix or glob paths, permissions on a PAT) is refused.
Exit codes: 0 minted (the token on stdout), 1 refused, 2 usage or I/O error.

${tokenInspectHelp}
Exit codes: 0 inspected, 1 the token or the policy has errors, 2 usage or I/O error.

${tokenRevokeHelp}`;

const TOKEN_TYPES: readonly string[] = ["pat", "app", "auth"];

type Values = Record<string, string | boolean | string[] | undefined>;

/** The optional claims of the token, from the flags that were given. */
function optionalClaims(values: Values): Partial<Omit<MintRequest, "secret" | "grant">> {
  const type = values["type"];
  if (type !== undefined && !TOKEN_TYPES.includes(String(type))) {
    throw new UsageError("--type must be pat, app or auth");
  }
  const lifetime = values["lifetime"] === undefined ? undefined : Number(values["lifetime"]);
  if (lifetime !== undefined && !(Number.isInteger(lifetime) && lifetime > 0)) {
    throw new UsageError("--lifetime takes a whole number of seconds");
  }
  const strings: [flag: string, key: keyof MintRequest][] = [
    ["subject", "subject"],
    ["issuer", "issuer"],
    ["audience", "audience"],
    ["parent", "parentToken"],
    ["client-id", "clientId"],
    ["user-id", "userId"],
  ];
  const claims: Record<string, unknown> = {};
  for (const [flag, key] of strings) {
    if (typeof values[flag] === "string") claims[key] = values[flag];
  }
  if (type !== undefined) claims["type"] = type as TokenType;
  if (lifetime !== undefined) claims["lifetimeSeconds"] = lifetime;
  return claims as Partial<Omit<MintRequest, "secret" | "grant">>;
}

export async function token(argv: readonly string[], io: Io): Promise<ExitCode> {
  if (argv[0] === "inspect") return tokenInspect(argv.slice(1), io);
  if (argv[0] === "revoke") return tokenRevoke(argv.slice(1), io);
  const { values, positionals } = parseCommandArgs(argv, {
    grant: { type: "string" },
    type: { type: "string" },
    lifetime: { type: "string" },
    subject: { type: "string" },
    issuer: { type: "string" },
    audience: { type: "string" },
    parent: { type: "string" },
    "client-id": { type: "string" },
    "user-id": { type: "string" },
    platform: { type: "boolean" },
  });
  const [verb, path, ...rest] = positionals;
  if (verb !== "mint")
    throw new UsageError("the token commands are `mint`, `inspect` and `revoke`");
  if (path === undefined || rest.length > 0)
    throw new UsageError("token mint takes one policy file");
  const grantName = values["grant"];
  if (typeof grantName !== "string") throw new UsageError("token mint needs --grant NAME");
  const claims = optionalClaims(values);
  const secret = io.env["RAMPART_TOKEN_SECRET"];
  if (secret === undefined) throw new UsageError("set RAMPART_TOKEN_SECRET (32+ bytes)");

  const checked = await checkPolicyFile(path, io);
  const policy = checked.effective;
  if (policy === undefined) {
    reportDiagnostics(io, "text", checked.diagnostics, [checked.source]);
    return ExitCode.Findings;
  }
  const grant = Object.hasOwn(policy.grants, grantName) ? policy.grants[grantName] : undefined;
  if (grant === undefined) {
    const known = Object.keys(policy.grants).join("`, `");
    throw new UsageError(
      `no grant \`${grantName}\` in ${path}${known ? ` (grants: \`${known}\`)` : ""}`,
    );
  }
  const minted = await mintToken({
    secret,
    grant,
    project: policy.projectId,
    platform: values["platform"] === true,
    ...claims,
  });
  if (minted.value === undefined) {
    reportDiagnostics(io, "text", minted.diagnostics, [checked.source], { summary: false });
    return ExitCode.Findings;
  }
  io.out(`${minted.value}\n`);
  return ExitCode.Ok;
}
