/**
 * The semantic passes' shortcuts report what the plain rules say: duplicate hosts (S-D5: a
 * host routes to one tunnel; hosts compare case-insensitively) when a host list is the
 * document's own and when it is not; options a protocol or a private tunnel cannot honour
 * (S-D5, S-A6, S-A7), option by option; and trusted-IP redundancy warnings quoting entries as
 * written after a refused one (S-A3).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import type { PolicyDocumentDoc, TunnelDoc } from "../../src/syntax/model.ts";
import { checkDuplicateHosts as boundsDuplicateHosts } from "../../src/bounds/kinds/host.ts";
import { lowerToIr } from "../../src/ir/lower.ts";
import { hostsAreUnique } from "../../src/ir/unique-hosts.ts";
import { baseDocument, diagnosticsOf, policyAst, spanFor } from "./lower-helpers.ts";

/** Every JSON Pointer in `value`, each given its own span by `diagnosticsOf`. */
function pointersOf(value: unknown, pointer = ""): string[] {
  if (value === null || typeof value !== "object") return [pointer];
  const children = Object.entries(value).flatMap(([k, v]) => pointersOf(v, `${pointer}/${k}`));
  return [pointer, ...children].filter((p) => p !== "");
}

/** The diagnostics of `codes`, each as its code, severity and the pointer it points at. */
function reported(document: PolicyDocumentDoc, codes: readonly string[]): string[] {
  const pointers = pointersOf(document);
  const spanned = ["", ...pointers];
  const pointerOf = (d: Diagnostic): string =>
    spanned.find((p) => d.span !== undefined && spanFor(spanned, p).start === d.span.start) ??
    "(none)";
  return diagnosticsOf(document, pointers)
    .filter((d) => codes.includes(d.code))
    .map((d) => `${d.code} ${d.severity} ${pointerOf(d)}`)
    .sort();
}

describe("duplicate hosts (RP3103), lists written canonical or not", () => {
  // Few names, so that repeats are common; case and order vary, and some hosts are invalid.
  const host = fc
    .tuple(fc.constantFrom("a", "b", "api", "x-1"), fc.boolean(), fc.boolean())
    .map(([name, upper, invalid]) => {
      const text = `${invalid ? "_" : ""}${name}.example.test`;
      return upper ? text.toUpperCase() : text;
    });
  const hosts = fc.array(host, { maxLength: 4 });

  it("reports every repeat after the first, as an error across tunnels and a warning within one", () => {
    fc.assert(
      fc.property(fc.array(hosts, { minLength: 1, maxLength: 4 }), (lists) => {
        const tunnels: TunnelDoc[] = lists.map((hostname, t) => ({
          id: `t${t}`,
          protocol: "http",
          hostname,
        }));
        const expected: string[] = [];
        const first = new Map<string, number>();
        lists.forEach((list, t) =>
          list.forEach((written, h) => {
            const key = written.toLowerCase();
            const seen = first.get(key);
            if (seen === undefined) first.set(key, t);
            else
              expected.push(
                `RP3103 ${seen === t ? "warning" : "error"} /tunnels/${t}/hostname/${h}`,
              );
          }),
        );
        assert.deepEqual(reported(baseDocument({ tunnels }), ["RP3103"]), expected.sort());
      }),
    );
  });

  it("marks the IR's tunnels as routing without an index exactly when no host repeats (issue #19)", () => {
    // Valid hosts only (an invalid one is an error, and then lowering gives no IR to mark).
    const validHosts = fc.array(
      fc
        .tuple(fc.constantFrom("a", "b", "api", "x-1", "*.w"), fc.boolean())
        .map(([name, upper]) =>
          upper ? `${name}.example.test`.toUpperCase() : `${name}.example.test`,
        ),
      { maxLength: 4 },
    );
    let marked = 0;
    let unmarked = 0;
    fc.assert(
      fc.property(fc.array(validHosts, { minLength: 1, maxLength: 4 }), (lists) => {
        const tunnels: TunnelDoc[] = lists.map((hostname, t) => ({
          id: `t${t}`,
          protocol: "http",
          hostname,
        }));
        const ir = lowerToIr(policyAst(baseDocument({ tunnels }))).value;
        // A host in two tunnels is an error: no IR goes on to bounds.
        if (ir === undefined) return;
        const written = lists.flat().map((h) => h.toLowerCase());
        const repeats = new Set(written).size !== written.length;
        assert.equal(hostsAreUnique(ir.tunnels), !repeats);
        if (repeats) {
          unmarked++;
          return;
        }
        marked++;
        // What the mark stands for: lower-case hosts, none in two tunnels, so bounds' own
        // check (which the mark lets it skip) would find nothing.
        const all = ir.tunnels.flatMap((t) => t.hosts);
        assert.ok(all.every((h) => h === h.toLowerCase()));
        assert.equal(new Set(all).size, all.length);
        assert.deepEqual(boundsDuplicateHosts(ir.tunnels), []);
      }),
    );
    assert.ok(marked > 0 && unmarked > 0, `marked ${marked}, unmarked ${unmarked}`);
  });
});

describe("options a tunnel cannot honour (RP3303–RP3306), one by one", () => {
  /** Each option as the document sets it on, with its predicate's name in the report. */
  const options = {
    hostname: { hostname: ["h.example.test"] },
    token_auth: { token_auth: true },
    rstream_auth: { rstream_auth: true },
    challenge_mode: { challenge_mode: true },
    mtls_auth: { mtls_auth: { ca: "ca.pem" } },
    trusted_ips: { trusted_ips: ["10.0.0.0/8"] },
    geo_ip: { geo_ip: ["IT"] },
    tls_min_version: { tls_min_version: "1.3" },
  } as const satisfies Record<string, Partial<TunnelDoc>>;
  type Option = keyof typeof options;
  const names = Object.keys(options) as Option[];
  const passthroughTls: readonly Option[] = ["tls_min_version", "mtls_auth"];
  const httpOnly: readonly Option[] = ["token_auth", "rstream_auth", "challenge_mode"];
  const notOnTcp: readonly Option[] = ["hostname", "mtls_auth"];

  it("reports each option set that the protocol, or a private tunnel, cannot honour", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("http", "tls-passthrough", "tcp" as const),
        fc.boolean(),
        fc.subarray(names),
        (protocol, publish, set) => {
          const tunnel: TunnelDoc = Object.assign(
            { id: "t", protocol, publish },
            ...set.map((o) => options[o]),
          ) as TunnelDoc;
          const at = (o: Option): string => `/tunnels/0/${o}`;
          const expected: string[] = [];
          for (const o of set) {
            if (!publish) {
              expected.push(`RP3306 error ${at(o)}`);
              continue;
            }
            if (protocol === "tls-passthrough" && passthroughTls.includes(o))
              expected.push(`RP3303 error ${at(o)}`);
            if (protocol !== "http" && httpOnly.includes(o)) expected.push(`RP3304 error ${at(o)}`);
            if (protocol === "tcp" && notOnTcp.includes(o)) expected.push(`RP3305 error ${at(o)}`);
          }
          const document = baseDocument({ tunnels: [tunnel] });
          const codes = ["RP3303", "RP3304", "RP3305", "RP3306"];
          assert.deepEqual(reported(document, codes), expected.sort());
        },
      ),
    );
  });
});

describe("trusted-IP redundancy (RP3003) after a refused entry", () => {
  it("quotes the covered entry and its cover as written", () => {
    const document = baseDocument({
      tunnels: [
        {
          id: "t",
          protocol: "http",
          trusted_ips: ["bogus", "10.0.0.0/8", "10.1.2.3", "192.0.2.0/24", "10.1.0.0/16"],
        },
      ],
    });
    const messages = diagnosticsOf(document, pointersOf(document))
      .filter((d) => d.code === "RP3003")
      .map((d) => d.message)
      .sort();
    assert.deepEqual(messages, [
      "`10.1.0.0/16` is already covered by `10.0.0.0/8`",
      "`10.1.2.3` is already covered by `10.0.0.0/8`",
    ]);
    assert.deepEqual(reported(document, ["RP3001"]), ["RP3001 error /tunnels/0/trusted_ips/0"]);
  });
});
