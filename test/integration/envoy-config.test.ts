/**
 * Issue #13, S-R17/S-R19/S-R20 behind Envoy. Envoy cannot be installed on the test machines
 * (it is not in the Debian archive, and only npm and Debian are reachable), so unlike nginx,
 * Caddy and HAProxy (front-proxy-scopes.test.ts) it is not run: this test parses the documented
 * config, examples/envoy/envoy.yaml, and checks what makes it safe: the app route strips the
 * rewrite and method-override headers, the check request carries no client header that
 * describes the original request, Envoy owns X-Forwarded-For/-Proto, the engine's endpoints
 * go to `serve`, and a failed check refuses.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ENVOY_PREFIX } from "../../src/runtime/forward-auth/dialect.ts";

const ROOT = join(import.meta.dirname, "../..");
const EXAMPLE = join(ROOT, "examples/envoy/envoy.yaml");

type Node = Record<string, unknown>;

/** `value` as an object (or a failed assertion naming `what`). */
function obj(value: unknown, what: string): Node {
  assert.ok(typeof value === "object" && value !== null && !Array.isArray(value), what);
  return value as Node;
}

function list(value: unknown, what: string): Node[] {
  assert.ok(Array.isArray(value), what);
  return value.map((v, i) => obj(v, `${what}[${i}]`));
}

/** An Envoy StringMatcher (exact, prefix, suffix, contains; ignore_case) against `name`. */
function matches(pattern: Node, name: string): boolean {
  const fold = pattern["ignore_case"] === true;
  const subject = fold ? name.toLowerCase() : name;
  const value = (key: string): string | null =>
    typeof pattern[key] === "string"
      ? fold
        ? (pattern[key] as string).toLowerCase()
        : (pattern[key] as string)
      : null;
  const exact = value("exact");
  const prefix = value("prefix");
  const suffix = value("suffix");
  const contains = value("contains");
  assert.ok(pattern["safe_regex"] === undefined, "regex patterns are not checked here");
  return (
    (exact !== null && subject === exact) ||
    (prefix !== null && subject.startsWith(prefix)) ||
    (suffix !== null && subject.endsWith(suffix)) ||
    (contains !== null && subject.includes(contains))
  );
}

const config = obj(parse(readFileSync(EXAMPLE, "utf8")), "the document");
const resources = obj(config["static_resources"], "static_resources");
const listener = list(resources["listeners"], "listeners")[0];
const chain = list(listener?.["filter_chains"], "filter_chains")[0];
const hcm = obj(list(chain?.["filters"], "filters")[0]?.["typed_config"], "the HCM");
const routes = list(
  list(obj(hcm["route_config"], "route_config")["virtual_hosts"], "virtual_hosts")[0]?.["routes"],
  "routes",
);
const filters = list(hcm["http_filters"], "http_filters");
const extAuthz = obj(
  filters.find((f) => f["name"] === "envoy.filters.http.ext_authz")?.["typed_config"],
  "the ext_authz filter",
);
const service = obj(extAuthz["http_service"], "http_service");

/** Headers that describe the original request, which only the proxy may write (S-R19). */
const ORIGINAL_REQUEST_HEADERS = [
  "x-forwarded-host",
  "x-original-uri",
  "x-original-method",
  "x-original-url",
  "x-forwarded-uri",
  "x-forwarded-method",
  "x-real-ip",
  "x-forwarded-tls-version",
  "forwarded",
];
const STRIPPED = [
  "x-original-url",
  "x-rewrite-url",
  "x-http-method-override",
  "x-http-method",
  "x-method-override",
];

describe("the documented Envoy config (examples/envoy/envoy.yaml), parsed: Envoy is not installable here", () => {
  it("S-R17, S-R20: the app route strips the rewrite and method-override headers", () => {
    const app = routes.find((r) => obj(r["match"], "match")["prefix"] === "/");
    assert.ok(app !== undefined, "a catch-all app route");
    assert.equal(obj(app["route"], "route")["cluster"], "app");
    const removed = (app["request_headers_to_remove"] as string[]).map((h) => h.toLowerCase());
    for (const header of STRIPPED) assert.ok(removed.includes(header), header);
  });

  it("S-O2, S-R12: the engine's endpoints go to serve unchanged (a logout keeps its override header, so serve answers 405)", () => {
    const wellKnown = routes[0];
    assert.equal(obj(wellKnown?.["match"], "match")["prefix"], "/.well-known/rstream/");
    assert.equal(obj(wellKnown?.["route"], "route")["cluster"], "rampart_serve");
    assert.equal(wellKnown?.["request_headers_to_remove"], undefined);
    const perFilter = obj(wellKnown?.["typed_per_filter_config"], "typed_per_filter_config");
    assert.equal(obj(perFilter["envoy.filters.http.ext_authz"], "ext_authz")["disabled"], true);
  });

  it("S-R19: the check request carries no client header that describes the original request", () => {
    const request = obj(service["authorization_request"], "authorization_request");
    const patterns = list(obj(request["allowed_headers"], "allowed_headers")["patterns"], "p");
    for (const header of ORIGINAL_REQUEST_HEADERS) {
      assert.ok(!patterns.some((p) => matches(p, header)), `${header} is not passed through`);
    }
    // What the decision reads from the client does reach Rampart.
    for (const header of ["cookie", "accept", "origin", "referer", "content-type", "upgrade"]) {
      assert.ok(
        patterns.some((p) => matches(p, header)),
        `${header} is passed to Rampart`,
      );
    }
    // X-Forwarded-For and -Proto are passed, so Envoy must own them.
    assert.equal(hcm["use_remote_address"], true);
    assert.ok(hcm["xff_num_trusted_hops"] === undefined || hcm["xff_num_trusted_hops"] === 0);
  });

  it("S-R19: Rampart's Envoy dialect is asked, and a failed check refuses", () => {
    assert.equal(service["path_prefix"], ENVOY_PREFIX);
    assert.equal(extAuthz["failure_mode_allow"], false);
    const response = obj(service["authorization_response"], "authorization_response");
    const upstream = list(
      obj(response["allowed_upstream_headers"], "allowed_upstream_headers")["patterns"],
      "patterns",
    );
    for (const header of ["x-rampart-subject", "x-rampart-auth-method", "x-rampart-tunnel"])
      assert.ok(
        upstream.some((p) => matches(p, header)),
        header,
      );
    const clusters = list(resources["clusters"], "clusters").map((c) => c["name"]);
    const serverUri = obj(service["server_uri"], "server_uri");
    assert.ok(clusters.includes(serverUri["cluster"]), "the forward-auth cluster is defined");
    assert.ok(clusters.includes("rampart_serve") && clusters.includes("app"));
  });

  it("docs/forward-auth.md points at this file", () => {
    const docs = readFileSync(join(ROOT, "docs/forward-auth.md"), "utf8");
    assert.match(docs, /examples\/envoy\/envoy\.yaml/);
  });
});
