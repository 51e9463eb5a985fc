// Plain ESM, as a proxy author writes it: every entry of the installed package imports, and a
// decision is taken on the bundle that the installed `rampart compile` wrote.
import { readFileSync } from "node:fs";
import * as rampart from "rampart";
import { loadBundle } from "rampart/decide";
import * as runtime from "rampart/runtime";
import * as testing from "rampart/testing";
import schema from "rampart/policy.schema.json" with { type: "json" };

const facts = (clientIp) => ({
  host: "shop.example.test",
  method: "GET",
  path: "/",
  clientIp,
  country: null,
  secure: true,
  acceptsHtml: false,
  upgrade: false,
  origin: null,
  referer: null,
  contentType: null,
  token: null,
  challengeCookie: null,
  session: null,
  clientCredential: null,
  tlsVersion: "1.3",
});

const loaded = loadBundle(readFileSync("bundle.json", "utf8"));
if (loaded.value === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
const [policy] = loaded.value;
const office = policy.request(facts("192.0.2.7"));
const stranger = policy.request(facts("198.51.100.7"));

const checked = rampart.checkPolicy({ name: "bad.rampart", text: 'project "x" {' });
console.log(
  JSON.stringify({
    office: office.outcome,
    stranger: `${stranger.outcome} ${stranger.status} ${stranger.rule}`,
    lintCodes: checked.diagnostics.map((d) => d.code).slice(0, 1),
    startRuntime: typeof runtime.startRuntime,
    laws: typeof testing.lawIntersectionNeverBroadens,
    schemaId: schema.$id,
  }),
);
