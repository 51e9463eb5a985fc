/**
 * The JWT claim set Rampart accepts (S-T1), as a JSON Schema compiled once by ajv. Unknown
 * top-level claims are refused. The inside of `resources` is checked when it is lowered to a
 * grant, where errors can say what is wrong.
 */
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import type { Permission, TokenType } from "../../ir/types.ts";

/** The claims after schema validation. */
export interface TokenClaims {
  readonly type: TokenType;
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string | string[];
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly jti?: string;
  readonly permissions?: Permission[] | null;
  readonly resources?: Record<string, unknown> | null;
  readonly clientId?: string;
  readonly userId?: string;
  readonly sourceCredentialId?: string;
}

const numericDate = { type: "integer", minimum: 0, maximum: 253402300799 };
const shortString = { type: "string", minLength: 1, maxLength: 1024 };

/** The JSON Schema of the claim set. */
export const tokenClaimsSchema = {
  type: "object",
  additionalProperties: false,
  required: ["type"],
  properties: {
    type: { enum: ["pat", "app", "auth"] },
    iss: shortString,
    sub: shortString,
    aud: { anyOf: [shortString, { type: "array", items: shortString, maxItems: 32 }] },
    exp: numericDate,
    nbf: numericDate,
    iat: numericDate,
    jti: shortString,
    permissions: {
      anyOf: [
        { type: "null" },
        {
          type: "array",
          uniqueItems: true,
          maxItems: 3,
          items: {
            enum: [
              "tunnels.resources.read-only",
              "tunnels.tunnels.create-delete",
              "tunnels.streams.create-delete",
            ],
          },
        },
      ],
    },
    resources: { anyOf: [{ type: "null" }, { type: "object" }] },
    clientId: shortString,
    userId: shortString,
    sourceCredentialId: shortString,
  },
  allOf: [
    { if: { properties: { type: { const: "app" } } }, then: { required: ["clientId", "exp", "iat"] } },
    { if: { properties: { type: { const: "auth" } } }, then: { required: ["userId"] } },
  ],
} as const;

let compiled: ValidateFunction | undefined;

/** The compiled validator (built on first use, then reused). */
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: false, strict: true }).compile(tokenClaimsSchema);
  return compiled;
}

/** Application tokens live 1 to 3600 seconds (S-T1). */
export const APP_TOKEN_MAX_LIFETIME = 3600;

/** The claims when they fit the schema and the lifetime rule, else a reason. */
export function checkClaims(payload: unknown): { ok: true; claims: TokenClaims } | { ok: false; reason: string } {
  const validate = validator();
  if (!validate(payload)) {
    const e = validate.errors?.[0];
    return { ok: false, reason: `${e?.instancePath || "claims"} ${e?.message ?? "invalid"}` };
  }
  const claims = payload as unknown as TokenClaims;
  if (claims.type === "app") {
    const lifetime = (claims.exp ?? 0) - (claims.iat ?? 0);
    if (lifetime < 1 || lifetime > APP_TOKEN_MAX_LIFETIME) {
      return { ok: false, reason: "an application token must live 1 to 3600 seconds" };
    }
  }
  return { ok: true, claims };
}
