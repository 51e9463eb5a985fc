/**
 * Atoms of the small closed dimensions: method, TLS, browser flags, Origin/Referer, body
 * type and challenge cookie. Each has a classifier that maps a concrete request to its atom
 * by the same test the interpreter applies.
 */
import type { RequestFacts } from "../../ir/facts.ts";
import type { ActionIr, GrantNodeIr } from "../../ir/types.ts";
import { sameTunnelOrigin } from "../../interpret/well-known.ts";
import type { Dimension, PolicyPair, RequestAtom } from "./atoms.ts";
import { constantAtom } from "./atoms.ts";

const FOREIGN_ORIGIN = "https://elsewhere.invalid";

const TLS = [
  constantAtom("tls:none", "plain HTTP", { secure: false, tlsVersion: null }),
  constantAtom("tls:1.2", "TLS 1.2", { secure: true, tlsVersion: "1.2" }),
  constantAtom("tls:1.3", "TLS 1.3", { secure: true, tlsVersion: "1.3" }),
];
const HTML = [
  constantAtom("html:no", "not a browser navigation", { acceptsHtml: false }),
  constantAtom("html:yes", "a browser navigation", { acceptsHtml: true }),
];
const UPGRADE = [
  constantAtom("upgrade:no", "no upgrade", { upgrade: false }),
  constantAtom("upgrade:yes", "an upgrade handshake", { upgrade: true }),
];
const COOKIE = [
  constantAtom("cookie:none", "no challenge cookie", { challengeCookie: null }),
  constantAtom("cookie:valid", "a valid challenge cookie", { challengeCookie: "valid" }),
  constantAtom("cookie:invalid", "an invalid challenge cookie", { challengeCookie: "invalid" }),
];
const CONTENT_TYPE = [
  constantAtom("contentType:none", "no body type", { contentType: null }),
  constantAtom("contentType:json", "a JSON body", { contentType: "application/json" }),
  constantAtom("contentType:other", "a non-JSON body", { contentType: "text/plain" }),
];
const ORIGIN: RequestAtom[] = [
  constantAtom("origin:none", "no Origin or Referer", { origin: null, referer: null, port: null }),
  {
    id: "origin:same",
    label: "Origin of the tunnel itself",
    facts: (side, get) => {
      const host = get("host").facts(side, get).host;
      const secure = get("tls").facts(side, get).secure;
      return {
        origin: `${secure === true ? "https" : "http"}://${host ?? ""}`,
        referer: null,
        port: null,
      };
    },
  },
  constantAtom("origin:foreign", "a foreign Origin", {
    origin: FOREIGN_ORIGIN,
    referer: null,
    port: null,
  }),
];

const SIMPLE: Partial<Record<Dimension, readonly RequestAtom[]>> = {
  tls: TLS,
  html: HTML,
  upgrade: UPGRADE,
  cookie: COOKIE,
  contentType: CONTENT_TYPE,
  origin: ORIGIN,
};

/** The atoms of a closed dimension. */
export function simpleAtoms(dimension: Dimension): readonly RequestAtom[] {
  const atoms = SIMPLE[dimension];
  if (atoms === undefined) throw new Error(`no fixed atoms for dimension ${dimension}`);
  return atoms;
}

function addActionMethods(a: ActionIr | null, into: Set<string>): void {
  for (const m of a?.methods ?? []) into.add(m.toUpperCase());
}

function addNodeMethods(node: GrantNodeIr, into: Set<string>): void {
  if (node.kind !== "leaf") {
    for (const child of node.children) addNodeMethods(child, into);
    return;
  }
  addActionMethods(node.connect, into);
  addActionMethods(node.create, into);
  addActionMethods(node.list, into);
}

// The engine's endpoints and the challenge (S-C4) treat these methods specially.
const ENGINE_METHODS = ["GET", "HEAD", "POST"];
const SPARE_METHODS = ["PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"];

/** Methods the policies name, the engine's own, and one method nothing names. */
export function namedMethods(policies: PolicyPair): string[] {
  const named = new Set(ENGINE_METHODS);
  // One policy asked about alone (lint) is given twice: its grants are read once.
  for (const policy of new Set(policies)) {
    for (const grant of Object.values(policy.grants)) {
      if (grant.resources !== null) addNodeMethods(grant.resources, named);
    }
  }
  return [...named].sort();
}

/** Method atoms. */
export function methodAtoms(policies: PolicyPair): RequestAtom[] {
  const named = namedMethods(policies);
  const spare = SPARE_METHODS.find((m) => !named.includes(m)) ?? "X-OTHER";
  return [
    ...named.map((m) => constantAtom(`method:${m}`, `method ${m}`, { method: m })),
    constantAtom("method:other", `a method nothing names (${spare})`, { method: spare }),
  ];
}

/** The atom id of a concrete request in a closed dimension (method needs the named list). */
export function classifySimple(
  dimension: Dimension,
  facts: RequestFacts,
  named: readonly string[],
): string {
  switch (dimension) {
    case "method":
      return named.includes(facts.method) ? `method:${facts.method}` : "method:other";
    case "tls":
      return facts.tlsVersion === null ? "tls:none" : `tls:${facts.tlsVersion}`;
    case "html":
      return facts.acceptsHtml ? "html:yes" : "html:no";
    case "upgrade":
      return facts.upgrade ? "upgrade:yes" : "upgrade:no";
    case "cookie":
      return `cookie:${facts.challengeCookie ?? "none"}`;
    case "contentType": {
      const type = facts.contentType;
      if (type === null || type.trim() === "") return "contentType:none";
      return type.split(";")[0]?.trim().toLowerCase() === "application/json"
        ? "contentType:json"
        : "contentType:other";
    }
    case "origin":
      if (facts.origin === null && facts.referer === null) return "origin:none";
      return sameTunnelOrigin(facts) ? "origin:same" : "origin:foreign";
    default:
      throw new Error(`dimension ${dimension} is not a closed one`);
  }
}
