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

const names = {
  type: "array",
  minItems: 1,
  maxItems: 256,
  items: { type: "string", minLength: 1, maxLength: 256 },
};
const stringFilter = {
  anyOf: [
    { type: "string", maxLength: 1024 },
    {
      type: "object",
      additionalProperties: false,
      required: ["exact"],
      properties: { exact: { type: "string", maxLength: 1024 } },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["oneof"],
      properties: { oneof: { ...names, items: { type: "string", maxLength: 1024 } } },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["regex"],
      properties: { regex: { type: "string", minLength: 1, maxLength: 512 } },
    },
  ],
};
const booleanFields = ["publish", "token_auth", "rstream_auth", "challenge_mode", "mtls_auth"];
const stringFields = ["id", "name", "protocol", "hostname", "status", "tls_min_version"];

/**
 * The `resources.tunnels` tree (S-T3, S-T4), mirroring the policy document model: AND/OR
 * nodes, leaves with `workspaces` or `projects` and `scopes.tunnels` actions, field filters.
 * Every object is closed, so a misspelt key is an invalid token, never an ignored limit.
 */
function grantDefinitions() {
  const and = (ref: string) => ({
    type: "object",
    additionalProperties: false,
    required: ["AND"],
    properties: { AND: { type: "array", minItems: 1, maxItems: 64, items: { $ref: ref } } },
  });
  const or = (ref: string) => ({
    type: "object",
    additionalProperties: false,
    required: ["OR"],
    properties: { OR: { type: "array", minItems: 1, maxItems: 64, items: { $ref: ref } } },
  });
  const fieldFilters = {
    type: "object",
    additionalProperties: false,
    properties: {
      ...Object.fromEntries(stringFields.map((f) => [f, stringFilter])),
      ...Object.fromEntries(booleanFields.map((f) => [f, { type: "boolean" }])),
      labels: { type: "object", maxProperties: 64, additionalProperties: stringFilter },
      trusted_ips: { ...names, items: { type: "string", minLength: 1, maxLength: 64 } },
      geo_ip: { ...names, items: { type: "string", minLength: 1, maxLength: 8 } },
    },
  };
  const pathFilter = {
    anyOf: [
      stringFilter,
      {
        type: "object",
        additionalProperties: false,
        required: ["prefix"],
        properties: { prefix: names },
      },
      {
        type: "object",
        additionalProperties: false,
        required: ["glob"],
        properties: { glob: names },
      },
    ],
  };
  const action = {
    anyOf: [
      { type: "boolean" },
      {
        type: "object",
        additionalProperties: false,
        properties: {
          filters: { $ref: "#/$defs/filter" },
          params: {
            type: "object",
            additionalProperties: false,
            properties: {
              path: pathFilter,
              methods: {
                type: "array",
                minItems: 1,
                maxItems: 16,
                items: { type: "string", pattern: "^[A-Za-z]{1,16}$" },
              },
            },
          },
          select: names,
        },
      },
    ],
  };
  const leaf = {
    type: "object",
    additionalProperties: false,
    not: { required: ["workspaces", "projects"] },
    properties: {
      workspaces: names,
      projects: names,
      scopes: {
        type: "object",
        additionalProperties: false,
        properties: {
          tunnels: {
            type: "object",
            additionalProperties: false,
            properties: { create: action, connect: action, list: action },
          },
        },
      },
    },
  };
  return {
    grantNode: { anyOf: [and("#/$defs/grantNode"), or("#/$defs/grantNode"), leaf] },
    filter: { anyOf: [and("#/$defs/filter"), or("#/$defs/filter"), fieldFilters] },
  };
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
    resources: {
      anyOf: [
        { type: "null" },
        {
          type: "object",
          additionalProperties: false,
          required: ["tunnels"],
          properties: { tunnels: { $ref: "#/$defs/grantNode" } },
        },
      ],
    },
    clientId: shortString,
    userId: shortString,
    sourceCredentialId: shortString,
  },
  $defs: grantDefinitions(),
  allOf: [
    {
      if: { properties: { type: { const: "app" } } },
      then: { required: ["clientId", "exp", "iat"] },
    },
    { if: { properties: { type: { const: "auth" } } }, then: { required: ["userId"] } },
  ],
};

let compiled: ValidateFunction | undefined;

/** The compiled validator (built on first use, then reused). */
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: false, strict: true, strictRequired: false }).compile(
    tokenClaimsSchema,
  );
  return compiled;
}

/** Application tokens live 1 to 3600 seconds (S-T1). */
export const APP_TOKEN_MAX_LIFETIME = 3600;

/** The claims when they fit the schema and the lifetime rule, else a reason. */
export function checkClaims(
  payload: unknown,
): { ok: true; claims: TokenClaims } | { ok: false; reason: string } {
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
