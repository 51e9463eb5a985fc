/**
 * `rampart explain --action create|list|watch` and `rampart token inspect` (issue #15), run
 * in process on the example policy: what a user sees for the platform's own token shapes, a
 * signed JWT, and bad input (RP8950, RP8951).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT } from "jose";
import { main } from "../../src/cli/main.ts";
import { memoryIo } from "../../src/cli/io.ts";

const root = join(import.meta.dirname, "..", "..");
const POLICY = "fixtures/policies/acme.rampart";
const SECRET = "a-test-secret-of-at-least-thirty-two-bytes";

async function run(argv: readonly string[], env: Record<string, string> = {}) {
  const base = memoryIo({ [POLICY]: readFileSync(join(root, POLICY), "utf8") });
  const io = { ...base, env };
  const status = await main(argv, io);
  return { status, stdout: base.stdout.join(""), stderr: base.stderr.join("") };
}

const now = Math.floor(Date.now() / 1000);

/** The platform's watch token (PLATFORM-FORMATS §3.3), for this policy's labels. */
const watchClaims = {
  type: "auth",
  userId: "example-user",
  iat: now,
  exp: now + 60,
  permissions: ["tunnels.resources.read-only"],
  resources: {
    tunnels: {
      scopes: {
        tunnels: {
          list: {
            filters: { labels: { env: "prod" }, protocol: "http", publish: true },
            select: ["id", "status", "name", "labels", "hostname"],
          },
        },
      },
    },
  },
};

/** A device producer: may only create its own token-protected HTTP tunnel. */
const producerClaims = {
  type: "app",
  clientId: "ci-bot",
  iat: now,
  exp: now + 60,
  permissions: null,
  resources: {
    tunnels: {
      scopes: {
        tunnels: {
          create: {
            filters: { name: { exact: "device-42" }, protocol: "http", token_auth: true },
          },
        },
      },
    },
  },
};

describe("rampart explain --action (S-T2, S-T3, S-T7)", () => {
  it("S-T3: list shows the visible tunnels with their selected fields, and why the others are hidden", async () => {
    const r = await run([
      "explain",
      POLICY,
      "--action",
      "list",
      "--token",
      JSON.stringify(watchClaims),
    ]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /list: allowed by grant:/);
    assert.match(r.stdout, /3 of 5 tunnels visible/);
    assert.match(r.stdout, /\n {2}api: hostname, id, labels, name, status\n/);
    assert.match(r.stdout, /"id":"api"/);
    assert.doesNotMatch(r.stdout, /"upstream"|"trusted_ips"/);
    assert.match(
      r.stdout,
      /postgres: hidden\n[\s\S]*\/resources\/tunnels\/scopes\/tunnels\/list\/filters\/protocol: `protocol` is `tcp`; the filter wants `http`/,
    );
  });

  it("S-T3/S-T4: create names the failed filter with its path in the token", async () => {
    const token = JSON.stringify(producerClaims);
    const ok = await run([
      "explain",
      POLICY,
      "--action",
      "create",
      "--token",
      token,
      "--tunnel",
      '{"name":"device-42","protocol":"http","hostname":["d42.acme.test"],"token_auth":true}',
    ]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /create: allowed by grant:/);
    const refused = await run([
      "explain",
      POLICY,
      "--action",
      "create",
      "--token",
      token,
      "--format",
      "json",
      "--tunnel",
      '{"name":"device-42","protocol":"http","hostname":["d42.acme.test"]}',
    ]);
    assert.equal(refused.status, 0, refused.stdout + refused.stderr);
    const decision = JSON.parse(refused.stdout) as {
      allow: boolean;
      status: number;
      failures: { pointer: string; message: string }[];
    };
    assert.equal(decision.allow, false);
    assert.equal(decision.status, 403);
    assert.deepEqual(
      decision.failures.map((f) => f.pointer),
      ["/resources/tunnels/scopes/tunnels/create/filters/token_auth"],
    );
  });

  it("S-A1: a tunnel the project's bounds refuse is reported before any token decision", async () => {
    const outside = await run([
      "explain",
      POLICY,
      "--action",
      "create",
      "--token",
      JSON.stringify(producerClaims),
      "--tunnel",
      '{"protocol":"http","hostname":["new.acme.test"],"trusted_ips":["198.51.100.0/24"]}',
    ]);
    assert.equal(outside.status, 1, outside.stdout + outside.stderr);
    assert.match(outside.stdout, /error\[RP4\d{3}\]/);
    const r = await run([
      "explain",
      POLICY,
      "--action",
      "create",
      "--token",
      JSON.stringify(producerClaims),
      "--tunnel",
      '{"protocol":"http","hostname":["api.acme.test"]}',
    ]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /error\[RP4\d{3}\]/);
  });

  it("S-T7: watch accepts the platform's watch token and refuses a PAT, with the reason", async () => {
    const ok = await run([
      "explain",
      POLICY,
      "--action",
      "watch",
      "--token",
      JSON.stringify(watchClaims),
    ]);
    assert.match(ok.stdout, /watch: allowed by watch\.query-token/);
    const pat = { ...watchClaims, type: "pat", userId: undefined, sub: "example-user" };
    const refused = await run([
      "explain",
      POLICY,
      "--action",
      "watch",
      "--token",
      JSON.stringify(pat),
    ]);
    assert.equal(refused.status, 0, refused.stdout + refused.stderr);
    assert.match(
      refused.stdout,
      /watch: refused \(401 invalid_token\)[\s\S]*a pat token is not accepted/,
    );
  });

  it("S-T1: a JWT is verified with RAMPART_TOKEN_SECRET; a wrong secret makes it invalid", async () => {
    const jwt = await new SignJWT(watchClaims)
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(SECRET));
    const good = await run(["explain", POLICY, "--action", "watch", "--token", jwt], {
      RAMPART_TOKEN_SECRET: SECRET,
    });
    assert.match(good.stdout, /signature checked[\s\S]*watch: allowed/);
    const bad = await run(["explain", POLICY, "--action", "watch", "--token", jwt], {
      RAMPART_TOKEN_SECRET: `${SECRET}-other`,
    });
    assert.match(bad.stdout, /watch: refused \(401 invalid_token\) by token/);
    const unchecked = await run(["explain", POLICY, "--action", "watch", "--token", jwt]);
    assert.match(unchecked.stdout, /without checking a signature[\s\S]*watch: allowed/);
  });

  it("S-T1: a token issued or valid only beyond the 300 s skew is refused, as claims and as a JWT", async () => {
    const future = [
      { ...watchClaims, iat: now + 86_400, exp: now + 86_460 },
      { ...watchClaims, nbf: now + 3600 },
    ];
    for (const claims of future) {
      const asClaims = await run([
        "explain",
        POLICY,
        "--action",
        "watch",
        "--token",
        JSON.stringify(claims),
      ]);
      assert.match(asClaims.stdout, /watch: refused \(401 invalid_token\) by token/);
      const jwt = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256" })
        .sign(new TextEncoder().encode(SECRET));
      const signed = await run(["explain", POLICY, "--action", "watch", "--token", jwt], {
        RAMPART_TOKEN_SECRET: SECRET,
      });
      assert.match(signed.stdout, /watch: refused \(401 invalid_token\) by token/);
      assert.equal(signed.stdout.includes(jwt), false, "the token is never printed");
    }
  });

  it("RP8950/RP8951: unreadable tokens and tunnel properties are diagnostics, exit 1", async () => {
    const token = await run(["explain", POLICY, "--action", "watch", "--token", '{"type":"auth"}']);
    assert.equal(token.status, 1);
    assert.match(
      token.stdout,
      /error\[RP8950\]: invalid token: the `userId` claim is required on this token type/,
    );
    const tunnel = await run([
      "explain",
      POLICY,
      "--action",
      "create",
      "--token",
      JSON.stringify(producerClaims),
      "--tunnel",
      '{"protocol":"htp"}',
    ]);
    assert.equal(tunnel.status, 1);
    assert.match(
      tunnel.stdout,
      /error\[RP8951\]: invalid tunnel properties: [^\n]*`\/protocol`\n\s*--> <tunnel>:1:13/,
    );
  });

  it("S-T8: an owner outside the project is refused create, list and watch, with the claim to change", async () => {
    const outsider = { ...watchClaims, userId: "mallory" };
    for (const action of ["list", "watch"]) {
      const r = await run([
        "explain",
        POLICY,
        "--action",
        action,
        "--token",
        JSON.stringify(outsider),
      ]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        new RegExp(
          `${action}: refused \\(403 insufficient_scope\\) by project\\.members\\n {2}the token's owner is not a member of project \`acme\``,
        ),
      );
      assert.match(r.stdout, /- \/userId: user `mallory` is not a member of project `acme`/);
    }
    const create = await run([
      "explain",
      POLICY,
      "--action",
      "create",
      "--token",
      JSON.stringify({ ...producerClaims, clientId: "device-42" }),
      "--format",
      "json",
      "--tunnel",
      '{"name":"device-42","protocol":"http","hostname":["d42.acme.test"],"token_auth":true}',
    ]);
    const decision = JSON.parse(create.stdout) as {
      allow: boolean;
      rule: string;
      failures: { kind: string; pointer: string }[];
    };
    assert.deepEqual(
      [decision.allow, decision.rule, decision.failures.map((f) => [f.kind, f.pointer])],
      [false, "project.members", [["owner", "/clientId"]]],
    );
  });

  it("asks for what each action needs (exit 2)", async () => {
    const r = await run(["explain", POLICY, "--action", "create", "--token", "{}"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--action create needs --tunnel/);
    const bad = await run(["explain", POLICY, "--action", "delete", "--token", "{}"]);
    assert.match(bad.stderr, /--action must be create, list or watch/);
  });
});

describe("rampart token inspect (issue #15)", () => {
  it("prints, per tunnel, what the token may do and the nearest change for each refusal", async () => {
    const r = await run(["token", "inspect", JSON.stringify(watchClaims), POLICY]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /type: auth, for example-user, lifetime 60 s\nowner: user example-user\n/,
    );
    assert.match(r.stdout, /owner: a member of project acme \(the policy's members say\)/);
    assert.match(r.stdout, /watch: allowed/);
    assert.match(
      r.stdout,
      /create: never \(the permissions do not include `tunnels\.tunnels\.create-delete`\)/,
    );
    assert.match(r.stdout, /tunnel api \(http, api\.acme\.test\)\n {2}connect: refused/);
    assert.match(
      r.stdout,
      /tunnel api [^\n]*\n[\s\S]*?list: visible \(hostname, id, labels, name, status\)/,
    );
    assert.match(
      r.stdout,
      /tunnel postgres [^\n]*\n[\s\S]*?list: hidden\n[\s\S]*?filters\/publish: `publish` is false; the filter wants true/,
    );
  });

  it("S-T5: names the path and method limits under which a tunnel may be connected to", async () => {
    const claims = {
      ...producerClaims,
      resources: {
        tunnels: {
          OR: [
            {
              scopes: {
                tunnels: {
                  connect: {
                    filters: { labels: { env: "prod" } },
                    params: { path: { regex: "^/api" }, methods: ["GET"] },
                  },
                },
              },
            },
            { scopes: { tunnels: { connect: { filters: { name: "Web app" } } } } },
          ],
        },
      },
    };
    const r = await run(["token", "inspect", JSON.stringify(claims), POLICY]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /tunnel api [^\n]*\n {2}connect: allowed, for paths matching \/\^\/api\/, methods GET\n/,
    );
    // Another branch lets any request to `web` through: no limit is shown.
    assert.match(r.stdout, /tunnel web [^\n]*\n {2}connect: allowed\n/);
  });

  it("S-T8: for an owner outside the project, every action on every tunnel is refused, and says whose token it is", async () => {
    const outsider = { ...producerClaims, clientId: "device-42" };
    const r = await run(["token", "inspect", JSON.stringify(outsider), POLICY]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /owner: client device-42\n/);
    assert.match(r.stdout, /owner: not a member of project acme \(the policy's members say\)/);
    assert.doesNotMatch(r.stdout, /: allowed/);
    assert.match(
      r.stdout,
      /tunnel api [^\n]*\n {2}connect: refused\n[\s\S]*?- \/clientId: client `device-42` is not a member of project `acme`/,
    );
  });

  it("S-T2, S-T7: names the other surfaces' permissions, which keep a token out of a watch URL", async () => {
    const claims = {
      ...watchClaims,
      permissions: ["tunnels.resources.read-only", "account.plan.read-only", "turn.relay.allocate"],
    };
    const r = await run(["token", "inspect", JSON.stringify(claims)]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /permissions: tunnels\.resources\.read-only\n/);
    assert.match(
      r.stdout,
      /other surfaces' permissions \(grant nothing here\): account\.plan\.read-only, turn\.relay\.allocate/,
    );
    assert.match(
      r.stdout,
      /watch: refused \(401 invalid_token\)[\s\S]*also carries `account\.plan\.read-only`, `turn\.relay\.allocate`/,
    );
  });

  it("S-T4: a filter on a field no tunnel declares selects nothing, and inspect says so", async () => {
    const connectWhere = (filters: unknown) => ({
      type: "auth",
      userId: "example-user",
      exp: now + 60,
      permissions: null,
      resources: { tunnels: { scopes: { tunnels: { connect: { filters } } } } },
    });
    const beside = await run([
      "token",
      "inspect",
      JSON.stringify(connectWhere({ OR: [{ port: 443 }, { labels: { team: "core" } }] })),
      POLICY,
    ]);
    assert.equal(beside.status, 0, beside.stdout + beside.stderr);
    assert.match(beside.stdout, /tunnel api [^\n]*\n {2}connect: allowed\n/);
    // The other alternative is the nearest change, never dropping the one that selects nothing.
    assert.match(
      beside.stdout,
      /tunnel web [^\n]*\n {2}connect: refused\n[^\n]*\n[^\n]*\/filters\/OR\/1\/labels\/team: /,
    );
    const alone = await run([
      "token",
      "inspect",
      JSON.stringify(connectWhere({ upstream_tls: true })),
      POLICY,
    ]);
    assert.doesNotMatch(alone.stdout, /connect: allowed\n/);
    assert.match(alone.stdout, /connect\/filters\/upstream_tls: no tunnel here declares/);
  });

  it("without a policy, prints the token's permissions and the watch verdict", async () => {
    const r = await run(["token", "inspect", JSON.stringify(producerClaims)]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /permissions: everything the owner has \(null\)/);
    assert.match(r.stdout, /watch: refused \(401 invalid_token\)/);
  });
});
