/**
 * The JWT claim set Rampart accepts (S-T1), as a JSON Schema compiled once by ajv. The
 * platform's own claims are accepted as its SDKs and CLI mint them (`metadata`,
 * `token_endpoint` and its legacy spelling, `sourceCredentialUpdatedAt`); other top-level
 * claims are ignored (RFC 7519 §4) and never reach a decision. Inside `resources` every object
 * is closed: an unknown key could change what the token means, so it makes the token invalid,
 * with a reason naming the key. The boundary's size is bounded before the schema runs
 * (`boundary-limits.ts`).
 */
import { Ajv } from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import { parseRfc3339 } from "../../ir/lower-grant.ts";
import type { Permission, TokenType } from "../../ir/types.ts";
import { checkBoundaryLimits } from "./boundary-limits.ts";
import {
  TUNNEL_FILTER_FIELDS,
  TUNNEL_INVENTORY_FIELDS,
  UNDECIDABLE_FILTER_FIELDS,
} from "./tunnel-fields.ts";

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
  /** The engine's permissions and, unchecked, those of the platform's other surfaces. */
  readonly permissions?: string[] | null;
  readonly resources?: Record<string, unknown> | null;
  readonly clientId?: string;
  readonly userId?: string;
  readonly sourceCredentialId?: string;
  /** ISO 8601 / RFC 3339 date-time of the stored credential that minted an `auth` token. */
  readonly sourceCredentialUpdatedAt?: string;
  /** The engine address the token was minted for, and the legacy `scopes`; never decides. */
  readonly metadata?: { readonly engine?: string; readonly scopes?: unknown };
  readonly token_endpoint?: string;
  readonly tokendpoint?: string;
}

/** The engine's permissions (S-T2): the only ones that grant anything at the edge. */
export const ENGINE_PERMISSIONS: readonly Permission[] = [
  "tunnels.resources.read-only",
  "tunnels.tunnels.create-delete",
  "tunnels.streams.create-delete",
];

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

function and(ref: string, minItems: number) {
  return {
    type: "object",
    additionalProperties: false,
    required: ["AND"],
    properties: { AND: { type: "array", minItems, maxItems: 64, items: { $ref: ref } } },
  };
}

function or(ref: string, minItems: number) {
  return {
    type: "object",
    additionalProperties: false,
    required: ["OR"],
    properties: { OR: { type: "array", minItems, maxItems: 64, items: { $ref: ref } } },
  };
}

/** The value schema of each filter field (S-T4): strings, booleans, labels, lists. */
function fieldFilterSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, kind] of Object.entries(TUNNEL_FILTER_FIELDS)) {
    if (kind === "string") out[field] = stringFilter;
    else if (kind === "boolean") out[field] = { type: "boolean" };
    else if (field === "labels") {
      // A `null` value means "the label is present, whatever its value".
      out[field] = {
        type: "object",
        maxProperties: 64,
        propertyNames: { minLength: 1, maxLength: 128 },
        // The common forms first: `anyOf` stops at the first branch that fits.
        additionalProperties: { anyOf: [...stringFilter.anyOf, { type: "null" }] },
      };
    } else {
      const max = field === "geo_ip" ? 8 : 64;
      out[field] = { ...names, items: { type: "string", minLength: 1, maxLength: max } };
    }
  }
  // Checked for their type here; lowered to filters that match nothing (`lower-filter.ts`).
  for (const [field, kind] of Object.entries(UNDECIDABLE_FILTER_FIELDS)) {
    if (kind === "string") out[field] = stringFilter;
    else if (kind === "boolean") out[field] = { type: "boolean" };
    else if (kind === "port") out[field] = { type: "integer", minimum: 0, maximum: 65535 };
    else out[field] = { ...names, items: { type: "string", minLength: 1, maxLength: 256 } };
  }
  return out;
}

/**
 * The `resources.tunnels` tree (S-T3, S-T4): AND/OR nodes, leaves with `workspaces` or
 * `projects` and `scopes.tunnels` actions, filters and `connect.params` trees over `path`.
 * `prefix`/`glob` paths, `methods` and a `select` list are Rampart's own extensions, kept so
 * that the tokens it minted before stay valid.
 */
function grantDefinitions() {
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
  const methods = {
    type: "array",
    minItems: 1,
    maxItems: 16,
    items: { type: "string", pattern: "^[A-Za-z]{1,16}$" },
  };
  const select = {
    anyOf: [
      names,
      {
        type: "object",
        maxProperties: 64,
        propertyNames: { enum: [...TUNNEL_INVENTORY_FIELDS] },
        additionalProperties: { type: "boolean" },
      },
    ],
  };
  const actionObject = (extra: Record<string, unknown>) => ({
    anyOf: [
      { type: "boolean" },
      {
        type: "object",
        additionalProperties: false,
        properties: { filters: { $ref: "#/$defs/filter" }, ...extra },
      },
    ],
  });
  const leaf = {
    type: "object",
    additionalProperties: false,
    minProperties: 1,
    not: { required: ["workspaces", "projects"] },
    properties: {
      workspaces: names,
      projects: names,
      scopes: {
        type: "object",
        additionalProperties: false,
        required: ["tunnels"],
        properties: {
          tunnels: {
            type: "object",
            additionalProperties: false,
            minProperties: 1,
            properties: {
              create: actionObject({}),
              connect: actionObject({
                params: {
                  anyOf: [
                    {
                      type: "object",
                      additionalProperties: false,
                      properties: { path: pathFilter, methods },
                    },
                    and("#/$defs/params", 0),
                    or("#/$defs/params", 0),
                  ],
                },
              }),
              list: actionObject({ select }),
            },
          },
        },
      },
    },
  };
  // Leaves and field objects first: they are the common nodes, and `anyOf` stops at the first
  // branch that fits (each branch that does not costs an error object).
  return {
    grantNode: { anyOf: [leaf, and("#/$defs/grantNode", 1), or("#/$defs/grantNode", 1)] },
    filter: {
      anyOf: [
        { type: "object", additionalProperties: false, properties: fieldFilterSchemas() },
        and("#/$defs/filter", 0),
        or("#/$defs/filter", 0),
      ],
    },
    params: {
      anyOf: [
        { type: "object", additionalProperties: false, properties: { path: pathFilter } },
        and("#/$defs/params", 0),
        or("#/$defs/params", 0),
      ],
    },
  };
}

const numericDate = { type: "integer", minimum: 0, maximum: 253402300799 };
const shortString = { type: "string", minLength: 1, maxLength: 1024 };

/** The JSON Schema of the claim set. */
export const tokenClaimsSchema = {
  type: "object",
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
          maxItems: 64,
          items: {
            anyOf: [
              { enum: [...ENGINE_PERMISSIONS] },
              // Another surface's permission (PLATFORM-FORMATS §2.3: `account.*`, `network.*`,
              // `webtty.*`, `turn.*`): kept out of the grant. Only that shape, lower-case and
              // printable, so a misspelled engine permission (`Tunnels.…`, `tunnel.…`) makes the
              // token invalid instead of granting nothing, and no control character reaches the
              // terminal through `token inspect` or a refusal.
              {
                type: "string",
                maxLength: 128,
                pattern: "^(account|network|webtty|turn)\\.[a-z0-9-]+(\\.[a-z0-9-]+)*$",
              },
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
    sourceCredentialUpdatedAt: { type: "string", minLength: 1, maxLength: 64 },
    // Never used for a decision; only its type is checked, so a malformed one stays visible.
    metadata: { type: "object", properties: { engine: { type: "string", maxLength: 1024 } } },
    token_endpoint: shortString,
    tokendpoint: shortString,
  },
  $defs: grantDefinitions(),
  allOf: [
    {
      if: { properties: { type: { const: "app" } } },
      then: { required: ["clientId", "exp", "iat", "permissions"] },
    },
    {
      if: { properties: { type: { const: "auth" } } },
      then: { required: ["userId", "exp", "permissions"] },
    },
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

function deepest(errors: readonly ErrorObject[]): ErrorObject | undefined {
  let found: ErrorObject | undefined;
  for (const e of errors)
    if (found === undefined || e.instancePath.length > found.instancePath.length) found = e;
  return found;
}

/**
 * The most telling schema error: an unknown key or a missing claim names what is wrong,
 * where the `anyOf` summary only says that no branch fitted.
 */
function reasonOf(errors: readonly ErrorObject[] | null | undefined): string {
  const list = errors ?? [];
  // The deepest unknown key: a branch that fitted further names the real one.
  const unknown = deepest(list.filter((e) => e.keyword === "additionalProperties"));
  if (unknown !== undefined) {
    const key = String((unknown.params as { additionalProperty?: unknown }).additionalProperty);
    return `${unknown.instancePath || "claims"} has an unknown key \`${key}\``;
  }
  const badName = list.find((e) => e.keyword === "propertyNames");
  if (badName !== undefined) {
    const key = String((badName.params as { propertyName?: unknown }).propertyName);
    return `${badName.instancePath} names an unknown field \`${key}\``;
  }
  const both = list.find((e) => e.keyword === "not");
  if (both !== undefined) return `${both.instancePath} names both \`workspaces\` and \`projects\``;
  const missing = list.find((e) => e.keyword === "required");
  if (missing !== undefined && missing.instancePath === "") {
    const claim = String((missing.params as { missingProperty?: unknown }).missingProperty);
    return `the \`${claim}\` claim is required on this token type`;
  }
  // Otherwise the deepest error: the branch that got furthest says the most.
  let e = list[0];
  for (const x of list) {
    if (x.keyword === "anyOf" || x.keyword === "if") continue;
    if (e === undefined || e.keyword === "anyOf" || x.instancePath.length > e.instancePath.length)
      e = x;
  }
  return `${e?.instancePath || "claims"} ${e?.message ?? "invalid"}`;
}

/** The claims when they fit the limits, the schema and the platform's rules, else a reason. */
export function checkClaims(
  payload: unknown,
): { ok: true; claims: TokenClaims } | { ok: false; reason: string } {
  // Bounded work first (issue #18): the schema and lowering recurse over the boundary.
  const resources = (payload as { resources?: unknown } | null)?.resources;
  const limits = checkBoundaryLimits(resources);
  if (limits !== null) return { ok: false, reason: limits };
  const validate = validator();
  if (!validate(payload)) return { ok: false, reason: reasonOf(validate.errors) };
  const claims = payload as unknown as TokenClaims;
  if (claims.type === "app") {
    const lifetime = (claims.exp ?? 0) - (claims.iat ?? 0);
    if (lifetime < 1 || lifetime > APP_TOKEN_MAX_LIFETIME) {
      return { ok: false, reason: "an application token must live 1 to 3600 seconds" };
    }
  }
  // The boundary's older name (PLATFORM-FORMATS §2.2): ignored like other unknown claims, it
  // would leave a token meant to be narrow with no boundary at all.
  if (Object.hasOwn(claims, "tunnelsGrants")) {
    return {
      ok: false,
      reason:
        "the legacy `tunnelsGrants` boundary is not read: mint the token with `resources.tunnels`",
    };
  }
  if (
    claims.token_endpoint !== undefined &&
    claims.tokendpoint !== undefined &&
    claims.token_endpoint !== claims.tokendpoint
  ) {
    return { ok: false, reason: "`token_endpoint` and `tokendpoint` disagree" };
  }
  if (
    claims.sourceCredentialUpdatedAt !== undefined &&
    parseRfc3339(claims.sourceCredentialUpdatedAt) === null
  ) {
    return { ok: false, reason: "`sourceCredentialUpdatedAt` is not an ISO 8601 date-time" };
  }
  return { ok: true, claims };
}
