/**
 * Lowering of policy tests: requests get their defaults (method `GET`, a token sent in the
 * `Authorization` header), countries and header names are normalized. The URL is kept as
 * written: tests must be able to send raw, unnormalized paths (`/api/../admin`).
 */
import type { PolicyTestDoc, TestRequestDoc } from "../syntax/model.ts";
import { isCountryCode } from "./countries.ts";
import { parseAddress } from "./ip.ts";
import type { LowerContext } from "./lower-context.ts";
import { at } from "./lower-context.ts";
import { invalidTestClientIp, unknownCountry } from "./semantic-diagnostics.ts";
import type { PolicyTestIr, TestRequestIr, TestTokenIr } from "./types.ts";

function lowerToken(doc: TestRequestDoc["token"]): TestTokenIr | null {
  if (doc === undefined) return null;
  const where = doc.in ?? "header";
  if (!("grant" in doc)) return { kind: "invalid", invalid: doc.invalid, in: where };
  const owner = doc.owner;
  // S-T8: only a token that names its owner carries one; the others stand for a member's.
  if (owner === undefined) return { kind: "grant", grant: doc.grant, in: where };
  return {
    kind: "grant",
    grant: doc.grant,
    in: where,
    owner:
      "user" in owner ? { kind: "user", id: owner.user } : { kind: "client", id: owner.client },
  };
}

function lowerCountry(
  country: string | undefined,
  pointer: string,
  ctx: LowerContext,
): string | null {
  if (country === undefined) return null;
  const code = country.toUpperCase();
  if (!isCountryCode(code)) ctx.report(unknownCountry(ctx.span(pointer), country));
  return code;
}

/** Lowers a test request. */
export function lowerTestRequest(
  doc: TestRequestDoc,
  pointer: string,
  ctx: LowerContext,
): TestRequestIr {
  if (parseAddress(doc.client_ip) === null)
    ctx.report(invalidTestClientIp(ctx.span(at(pointer, "client_ip")), doc.client_ip));
  const headers = Object.entries(doc.headers ?? {})
    .map(([k, v]): [string, string] => [k.toLowerCase(), v])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    method: (doc.method ?? "GET").toUpperCase(),
    url: doc.url,
    clientIp: doc.client_ip,
    country: lowerCountry(doc.country, at(pointer, "country"), ctx),
    headers: Object.fromEntries(headers),
    token: lowerToken(doc.token),
    challengeCookie: doc.challenge_cookie ?? null,
    session:
      doc.session === undefined
        ? null
        : {
            userId: doc.session.user_id,
            email: doc.session.email ?? null,
            name: doc.session.name ?? null,
            groups: doc.session.groups ?? [],
          },
    tls:
      doc.tls === undefined
        ? null
        : {
            version: doc.tls.version ?? null,
            group: doc.tls.group ?? null,
            ech: doc.tls.ech ?? false,
            clientCert: doc.tls.client_cert ?? null,
          },
  };
}

/** Lowers a policy test. */
export function lowerPolicyTest(
  doc: PolicyTestDoc,
  pointer: string,
  ctx: LowerContext,
): PolicyTestIr {
  return {
    name: doc.name,
    request: lowerTestRequest(doc.request, at(pointer, "request"), ctx),
    expect: {
      outcome: doc.expect.outcome,
      status: doc.expect.status ?? null,
      reason: doc.expect.reason ?? null,
      policy: doc.expect.policy ?? null,
    },
    origin: ctx.span(pointer),
  };
}
