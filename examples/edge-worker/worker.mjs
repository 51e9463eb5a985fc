// A fetch-handler edge worker (the `export default { fetch }` shape of Cloudflare Workers,
// Deno Deploy and others) deciding with a module from `rampart compile --target esm`:
//
//   npx rampart compile --target esm --minify -o examples/edge-worker/decide.mjs \
//     examples/edge-worker/policy.rampart
//
// Only Web APIs are used (Request, Response, URL, fetch). The decision module imports nothing
// and needs no eval, so it runs where `new Function` is forbidden.
import { request as decide } from "./decide.mjs";

// Anything but a plain path is refused before deciding, so the path the decision matched is
// the path forwarded (a full proxy canonicalizes instead; see docs/hardening.md).
const PLAIN_PATH = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]+\/?)*$/;

/** The facts rampart decides on, from a Web Request and the platform's own client headers. */
function factsOf(request, url, platform) {
  const header = (name) => request.headers.get(name);
  return {
    host: url.hostname.toLowerCase(),
    port: null,
    method: request.method.toUpperCase(),
    path: url.pathname,
    // Set by the edge platform itself, never by the client: configure the names it uses.
    clientIp: header(platform.clientIpHeader) ?? "",
    country: header(platform.countryHeader)?.toUpperCase() ?? null,
    secure: url.protocol === "https:",
    acceptsHtml: (header("accept") ?? "").includes("text/html"),
    upgrade: (header("upgrade") ?? "") !== "",
    origin: header("origin"),
    referer: header("referer"),
    contentType: header("content-type"),
    token: null,
    challengeCookie: null,
    session: null,
    clientCredential: null,
    tlsVersion: null,
  };
}

function refuse(status, reason) {
  return Response.json({ error: { reason } }, { status, headers: { "cache-control": "no-store" } });
}

export default {
  /**
   * `env.UPSTREAM` is the origin allowed requests go to; `env.CLIENT_IP_HEADER` and
   * `env.COUNTRY_HEADER` name the platform's headers (Cloudflare: cf-connecting-ip, cf-ipcountry).
   */
  async fetch(request, env = {}) {
    const url = new URL(request.url);
    if (!PLAIN_PATH.test(url.pathname)) return refuse(400, "bad_request");
    const platform = {
      clientIpHeader: env.CLIENT_IP_HEADER ?? "cf-connecting-ip",
      countryHeader: env.COUNTRY_HEADER ?? "cf-ipcountry",
    };
    const decision = decide(factsOf(request, url, platform));
    if (decision.outcome !== "forward") return refuse(decision.status, decision.reason);
    const upstream = new URL(url.pathname + url.search, env.UPSTREAM);
    const headers = new Headers(request.headers);
    headers.delete(platform.clientIpHeader);
    headers.delete(platform.countryHeader);
    return fetch(upstream, {
      method: request.method,
      headers,
      body: request.body,
      duplex: "half",
      redirect: "manual",
    });
  },
};
