/** Words for regions and witness requests, shared by the text and CI renderers. */
import type { RequestFacts } from "../../ir/facts.ts";
import type { Region, RegionCondition } from "./types.ts";

const DIMENSION_NAMES: Readonly<Record<string, string>> = {
  host: "host",
  ip: "client address",
  country: "country",
  tls: "TLS",
  method: "method",
  path: "path",
  token: "token",
  credential: "client certificate",
  session: "session",
  cookie: "challenge cookie",
  html: "browser",
  upgrade: "upgrade",
  origin: "origin",
  contentType: "body",
};

/** One condition: its atoms, or "anything but …" when that is shorter. */
export function describeCondition(c: RegionCondition): string {
  const name = DIMENSION_NAMES[c.dimension] ?? c.dimension;
  if (c.excluded.length > 0 && c.excluded.length < c.atoms.length) {
    return `${name}: anything but ${c.excluded.map((a) => a.label).join(" or ")}`;
  }
  return c.atoms.map((a) => a.label).join(" or ");
}

/** A region's conditions without the host (which the heading names), or "every request". */
export function describeConditions(region: Region): string {
  const parts = region.conditions.filter((c) => c.dimension !== "host").map(describeCondition);
  return parts.length === 0 ? "every request" : parts.join("; ");
}

/** How many host classes of a group a heading names before counting the rest. */
const NAMED_HOSTS = 5;

/**
 * `tunnel \`api\`` or `tunnel \`old\` → \`new\`` for re-routed hosts; for a group of tunnels
 * that changed alike, how many and the first few.
 */
export function describeTunnel(region: Region): string {
  const hosts = region.conditions.find((c) => c.dimension === "host")?.atoms ?? [];
  if (hosts.length > 1) {
    const named = hosts.slice(0, NAMED_HOSTS).map((h) => h.label);
    const more = hosts.length - named.length;
    return `${hosts.length} tunnels changed alike: ${named.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
  }
  const { tunnelBefore: b, tunnelAfter: a } = region;
  if (b === a) return b === null ? "no tunnel" : `tunnel \`${b}\``;
  return `host moved from ${b === null ? "no tunnel" : `tunnel \`${b}\``} to ${a === null ? "no tunnel" : `tunnel \`${a}\``}`;
}

/** A witness request in one line: `GET https://api.example.com/x from 10.0.0.1 (DE) …`. */
export function describeRequest(facts: RequestFacts, tokenGrant: string | null): string {
  const scheme = facts.secure ? "https" : "http";
  const tls = facts.tlsVersion === null ? "" : `, TLS ${facts.tlsVersion}`;
  const parts = [
    `${facts.method} ${scheme}://${facts.host}${facts.path} from ${facts.clientIp} (${facts.country ?? "unknown country"}${tls})`,
  ];
  if (facts.token !== null) {
    const where = facts.token.source === "header" ? "header" : "query";
    parts.push(
      facts.token.status === "valid"
        ? tokenGrant === "*"
          ? `a token with an unrestricted grant in the ${where}`
          : `a token with grant \`${tokenGrant ?? "?"}\` in the ${where}`
        : `an ${facts.token.status.replaceAll("_", " ")} token`,
    );
  }
  if (facts.clientCredential !== null)
    parts.push(`client certificate \`${facts.clientCredential}\``);
  if (facts.session !== null)
    parts.push(`signed in as ${facts.session.email ?? facts.session.userId}`);
  if (facts.challengeCookie !== null) parts.push(`${facts.challengeCookie} challenge cookie`);
  if (facts.acceptsHtml) parts.push("browser navigation");
  if (facts.upgrade) parts.push("upgrade");
  if (facts.origin !== null) parts.push(`Origin ${facts.origin}`);
  if (facts.contentType !== null) parts.push(`Content-Type ${facts.contentType}`);
  return parts.join(", ");
}
