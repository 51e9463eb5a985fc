/**
 * Control-plane decisions on the platform's own grant shapes (PLATFORM-FORMATS §3.3): a
 * device that may only create its own tunnel, a viewer, a watch token. Grants are lowered
 * from claims exactly as a token's are; both the interpreter and the compiled plane are run.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { computeEffective } from "../../src/bounds/intersect.ts";
import type { EffectivePolicy, EffectiveTunnel } from "../../src/bounds/effective.ts";
import { compileControlPlane } from "../../src/compile/control-plane.ts";
import { interpretCreate, interpretList, interpretWatch } from "../../src/interpret/index.ts";
import { lowerGrantClaims } from "../../src/ir/grant-from-claims.ts";
import type { TokenFacts, TokenOwner } from "../../src/ir/facts.ts";
import type { GrantIr, TokenType } from "../../src/ir/types.ts";
import { controlToken, policyIr, projectIr, tunnelIr } from "../../src/testkit/index.ts";

function grantOf(claims: { permissions?: unknown; resources?: unknown }): GrantIr {
  const lowered = lowerGrantClaims(claims, "t1");
  if ("error" in lowered) throw new Error(lowered.error);
  return lowered.grant;
}

const policy: EffectivePolicy = (() => {
  const effective = computeEffective(
    policyIr({
      project: projectIr({ id: "p1", workspace: "w1" }),
      tunnels: [
        tunnelIr({
          id: "device-42",
          name: "device-42",
          labels: { app: "demo", device: "42", user: "u1" },
          tokenAuth: true,
        }),
        tunnelIr({ id: "shell", name: "shell", protocol: "tcp", labels: { app: "demo" } }),
        tunnelIr({ id: "other", name: "other", labels: { app: "blog", user: "u1" } }),
      ],
    }),
  ).value;
  if (effective === undefined) throw new Error("the test policy must pass the bounds stage");
  return effective;
})();

const tunnel = (id: string): EffectiveTunnel => {
  const found = policy.tunnels.find((t) => t.id === id);
  if (found === undefined) throw new Error(id);
  return found;
};

const deviceProducer = grantOf({
  resources: {
    tunnels: {
      scopes: {
        tunnels: {
          create: {
            filters: {
              name: { exact: "device-42" },
              protocol: "http",
              publish: true,
              token_auth: true,
              labels: { app: "demo", device: "42", user: "u1" },
            },
          },
        },
      },
    },
  },
});

const watchClaims = {
  permissions: ["tunnels.resources.read-only"],
  resources: {
    tunnels: {
      scopes: {
        tunnels: {
          list: {
            filters: { labels: { app: "demo", user: "u1" }, protocol: "http", publish: true },
            select: ["id", "status", "name", "labels", "hostname"],
          },
        },
      },
    },
  },
};

/** A token whose owner the credential backend says belongs to `p1` (S-T8 holds). */
const member = (g: GrantIr, type: TokenType | null = g.type, life = 60): TokenFacts =>
  controlToken(g, type, life, null, { kind: "user", id: "u1" }, ["p1"]);

const engines = [
  {
    name: "interpreter",
    create: (g: GrantIr, t: EffectiveTunnel) => interpretCreate(policy, member(g), t),
    list: (g: GrantIr) => interpretList(policy, member(g)),
    watch: (g: GrantIr, type: TokenType, life: number) =>
      interpretWatch(policy, member(g, type, life)),
  },
  {
    name: "compiled",
    create: (g: GrantIr, t: EffectiveTunnel) => compileControlPlane(policy).create(member(g), t),
    list: (g: GrantIr) => compileControlPlane(policy).list(member(g)),
    watch: (g: GrantIr, type: TokenType, life: number) =>
      compileControlPlane(policy).watch(member(g, type, life)),
  },
];

for (const engine of engines) {
  describe(`control-plane decisions (${engine.name})`, () => {
    it("S-T3/S-T4: a device producer may create only its own token-protected HTTP tunnel", () => {
      const allowed = engine.create(deviceProducer, tunnel("device-42"));
      assert.equal(allowed.allow, true);
      assert.equal(allowed.status, 200);
      assert.deepEqual(allowed.failures, []);

      const refused = engine.create(deviceProducer, tunnel("shell"));
      assert.equal(refused.allow, false);
      assert.equal(refused.status, 403);
      assert.equal(refused.reason, "insufficient_scope");
      // In the order the filter object's fields are checked: strings, labels, booleans.
      assert.deepEqual(
        refused.failures.map((f) => f.pointer.replace("/resources/tunnels/scopes/tunnels", "")),
        [
          "/create/filters/name",
          "/create/filters/protocol",
          "/create/filters/labels/device",
          "/create/filters/labels/user",
          "/create/filters/token_auth",
        ],
      );
      const protocol = refused.failures.find((f) => f.pointer.endsWith("/protocol"));
      assert.equal(protocol?.message, "`protocol` is `tcp`; the filter wants `http`");
    });

    it("S-T2: create pairs with tunnels.tunnels.create-delete", () => {
      const readOnly = { ...deviceProducer, permissions: ["tunnels.resources.read-only" as const] };
      const refused = engine.create(readOnly, tunnel("device-42"));
      assert.equal(refused.allow, false);
      assert.deepEqual(
        refused.failures.map((f) => [f.kind, f.pointer, f.change]),
        [["permission", "/permissions", "add `tunnels.tunnels.create-delete` to /permissions"]],
      );
    });

    it("S-T3: a leaf without the action does not grant it, and names where to add it", () => {
      const refused = engine.create(grantOf(watchClaims), tunnel("device-42"));
      assert.deepEqual(
        refused.failures.map((f) => f.pointer),
        ["/permissions", "/resources/tunnels/scopes/tunnels/create"],
      );
    });

    it("S-T3: list filters hide tunnels and select picks their fields", () => {
      const listed = engine.list(grantOf(watchClaims));
      assert.equal(listed.allow, true);
      assert.deepEqual(
        listed.visible.map((v) => [v.tunnel.id, v.fields]),
        [["device-42", ["hostname", "id", "labels", "name", "status"]]],
      );
    });

    it("S-T3: an OR reveals the union of its branches' fields, an AND their common part", () => {
      const branch = (select: string[]) => ({
        scopes: { tunnels: { list: { filters: { labels: { app: "demo" } }, select } } },
      });
      const or = grantOf({ resources: { tunnels: { OR: [branch(["id"]), branch(["name"])] } } });
      const and = grantOf({
        resources: { tunnels: { AND: [branch(["id", "name"]), branch(["name", "labels"])] } },
      });
      assert.deepEqual(
        engine.list(or).visible.map((v) => [v.tunnel.id, v.fields]),
        [
          ["device-42", ["id", "name"]],
          ["shell", ["id", "name"]],
        ],
      );
      assert.deepEqual(
        engine.list(and).visible.map((v) => v.fields),
        [["name"], ["name"]],
      );
    });

    it("S-T2: a token without tunnels.resources.read-only lists nothing", () => {
      const listed = engine.list({
        ...deviceProducer,
        permissions: ["tunnels.tunnels.create-delete"],
      });
      assert.equal(listed.allow, false);
      assert.deepEqual(listed.visible, []);
      assert.equal(listed.failures[0]?.pointer, "/permissions");
    });

    it("S-T7: the platform's watch token is accepted from an auth or app token, never a PAT", () => {
      const grant = grantOf(watchClaims);
      assert.equal(engine.watch(grant, "auth", 60).allow, true);
      assert.equal(engine.watch(grant, "app", 3600).allow, true);
      const pat = engine.watch(grant, "pat", 60);
      assert.equal(pat.allow, false);
      assert.equal(pat.status, 401);
      assert.match(pat.message, /pat token is not accepted/);
      assert.equal(engine.watch(grant, "auth", 3601).allow, false);
      assert.equal(engine.watch(deviceProducer, "auth", 60).allow, false);
    });

    it("S-T7: a branch grants what all its leaves grant, so AND cancels a sibling's connect", () => {
      const grant = grantOf({
        permissions: ["tunnels.resources.read-only"],
        resources: {
          tunnels: {
            AND: [
              { scopes: { tunnels: { list: true, connect: true } } },
              { projects: ["p1"], scopes: { tunnels: { list: true } } },
            ],
          },
        },
      });
      assert.equal(engine.watch(grant, "auth", 60).allow, true);
      const or = grantOf({
        ...watchClaims,
        resources: {
          tunnels: {
            OR: [
              { scopes: { tunnels: { list: true, connect: true } } },
              { scopes: { tunnels: { list: true } } },
            ],
          },
        },
      });
      assert.match(engine.watch(or, "auth", 60).message, /a branch grants `connect`/);
    });
  });
}

describe("control-plane decisions on the token itself (S-D2, S-D3)", () => {
  const plane = compileControlPlane(policy);
  it("S-D3: missing, invalid and expired tokens are 401 with the platform's reasons", () => {
    const t = tunnel("device-42");
    for (const decide of [
      (tok: Parameters<typeof plane.create>[0]) => plane.create(tok, t),
      (tok: Parameters<typeof plane.create>[0]) => interpretCreate(policy, tok, t),
    ]) {
      assert.equal(decide(null).reason, "missing_token");
      const expired = { ...controlToken(deviceProducer), status: "expired" as const, grant: null };
      assert.equal(decide(expired).reason, "expired_token");
      const bad = { ...expired, status: "bad_signature" as const };
      assert.equal(decide(bad).reason, "invalid_token");
      assert.equal(decide(bad).status, 401);
    }
  });
});

describe("control-plane decisions and ownership (S-T8)", () => {
  const withMembers: EffectivePolicy = (() => {
    const effective = computeEffective(
      policyIr({
        project: projectIr({
          id: "p1",
          workspace: "w1",
          members: { users: ["u1", "ada@acme.test"], clients: ["ci-bot"] },
        }),
        tunnels: [tunnelIr({ id: "web", name: "web", labels: { app: "demo" } })],
      }),
    ).value;
    if (effective === undefined) throw new Error("the test policy must pass the bounds stage");
    return effective;
  })();
  const web = withMembers.tunnels[0] as EffectiveTunnel;
  const everything = { create: true, list: true };
  const scopeOnly = grantOf({ resources: { tunnels: { scopes: { tunnels: everything } } } });
  const namingP1 = grantOf({
    resources: { tunnels: { projects: ["p1"], scopes: { tunnels: everything } } },
  });
  const watchOf = (resources: object): GrantIr =>
    grantOf({ permissions: ["tunnels.resources.read-only"], resources: { tunnels: resources } });
  const watchScopeOnly = watchOf({ scopes: { tunnels: { list: true } } });
  const watchNamingP1 = watchOf({ projects: ["p1"], scopes: { tunnels: { list: true } } });
  const token = (g: GrantIr, owner: TokenOwner | null, memberOf: string[] | null = null) =>
    controlToken(g, "auth", 60, null, owner, memberOf);
  const u = (id: string): TokenOwner => ({ kind: "user", id });

  for (const [name, of] of [
    [
      "interpreter",
      (p: EffectivePolicy) => ({
        create: (t: TokenFacts, x: EffectiveTunnel) => interpretCreate(p, t, x),
        list: (t: TokenFacts) => interpretList(p, t),
        watch: (t: TokenFacts) => interpretWatch(p, t),
      }),
    ],
    ["compiled", compileControlPlane],
  ] as const) {
    it(`S-T8: members by id, e-mail (any case) or client id act; an outsider is refused every action (${name})`, () => {
      const plane = of(withMembers);
      for (const owner of [
        u("u1"),
        u("ADA@acme.test"),
        { kind: "client" as const, id: "ci-bot" },
      ]) {
        assert.equal(plane.create(token(scopeOnly, owner), web).allow, true);
        assert.deepEqual(
          plane.list(token(scopeOnly, owner)).visible.map((v) => v.tunnel.id),
          ["web"],
        );
        assert.equal(plane.watch(token(watchScopeOnly, owner)).allow, true);
      }
      // `u1` as a client is not the user `u1`; no owner at all is nobody's member.
      for (const owner of [u("eve"), { kind: "client" as const, id: "u1" }, null]) {
        const create = plane.create(token(namingP1, owner), web);
        assert.deepEqual(
          [create.allow, create.status, create.reason, create.rule],
          [false, 403, "insufficient_scope", "project.members"],
        );
        assert.match(create.message, /not a member of project `p1`/);
        const list = plane.list(token(namingP1, owner));
        assert.deepEqual(
          [list.allow, list.status, list.rule, list.visible],
          [false, 403, "project.members", []],
        );
        const watch = plane.watch(token(watchNamingP1, owner));
        assert.deepEqual([watch.allow, watch.status, watch.rule], [false, 403, "project.members"]);
      }
    });

    it(`S-T8: the credential backend's answer comes before the policy's list (${name})`, () => {
      const plane = of(withMembers);
      assert.equal(plane.create(token(scopeOnly, u("eve"), ["p1"]), web).allow, true);
      assert.equal(plane.create(token(scopeOnly, u("u1"), ["other"]), web).allow, false);
      assert.equal(plane.watch(token(watchScopeOnly, u("u1"), [])).allow, false);
    });

    it(`S-T8: when nobody answers membership, only a boundary naming the project acts (${name})`, () => {
      const plane = of(policy);
      const t = tunnel("device-42");
      const refused = plane.create(token(scopeOnly, u("u1")), t);
      assert.deepEqual([refused.allow, refused.rule], [false, "project.members"]);
      assert.match(refused.message, /names no members and no credential backend/);
      assert.equal(plane.create(token(namingP1, u("u1")), t).allow, true);
      const hidden = plane.list(token(scopeOnly, u("u1")));
      assert.deepEqual([hidden.allow, hidden.visible.length], [true, 0]);
      assert.equal(plane.list(token(namingP1, u("u1"))).visible.length, 3);
      assert.equal(plane.watch(token(watchScopeOnly, u("u1"))).allow, false);
      assert.equal(plane.watch(token(watchNamingP1, u("u1"))).allow, true);
    });
  }
});
