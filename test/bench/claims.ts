/**
 * Claim parsing of a 4 KiB token, side by side with another checkout of Rampart (issue #15:
 * "not slower than today's"): `node test/bench/claims.ts --before DIR`, where DIR is a
 * worktree of the starting commit. Two figures, each interleaved round by round:
 *
 * - claims: schema check + lowering to a grant (`checkClaims` then `claimsToGrant`), the
 *   work the runtime does for every token it has not cached;
 * - verify: the whole uncached `JwtBackend.verify` (decode, HS256 signature, claims, grant).
 *
 * The claim set uses only shapes both versions accept, so the figures compare like for like.
 */
import { createSecretKey } from "node:crypto";
import { resolve } from "node:path";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { SignJWT } from "jose";
import { compare, median, ns } from "./harness.ts";

const SECRET = "bench-secret-0123456789abcdef-0123456789abcdef";

/** A PAT whose boundary is an OR of filtered, path-limited leaves: about 4 KiB as a JWT. */
function claimSet(): Record<string, unknown> {
  const leaves = Array.from({ length: 10 }, (_, i) => ({
    projects: [`project-${i}`, `project-${i + 1}`],
    scopes: {
      tunnels: {
        connect: {
          filters: {
            labels: { app: `app-${i}`, env: { oneof: ["prod", "staging"] } },
            protocol: "http",
            publish: true,
          },
          params: { path: { regex: `^/api/v${i}/` } },
        },
        list: { filters: { name: { exact: `tunnel-${i}` } }, select: ["id", "name"] },
      },
    },
  }));
  return {
    type: "pat",
    sub: "user-1234",
    iat: 1_800_000_000,
    jti: "0b5f6a4c-6a0e-4c1e-9f0e-2f8a6a1b9c3d",
    permissions: ["tunnels.resources.read-only", "tunnels.streams.create-delete"],
    resources: { tunnels: { OR: leaves } },
  };
}

interface Tree {
  readonly checkClaims: (payload: unknown) => { ok: boolean; claims?: unknown };
  readonly claimsToGrant: (claims: never, digest: string) => unknown;
  readonly JwtBackend: new (
    keys: unknown[],
    options: unknown,
  ) => { verify(token: string, source: "header"): Promise<{ status: string }> };
}

async function load(root: string): Promise<Tree> {
  const at = (p: string) => pathToFileURL(resolve(root, p)).href;
  const schema = (await import(at("src/runtime/tokens/claims-schema.ts"))) as Tree;
  const grant = (await import(at("src/runtime/tokens/claims-to-grant.ts"))) as Tree;
  const backend = (await import(at("src/runtime/tokens/jwt-backend.ts"))) as Tree;
  return {
    checkClaims: schema.checkClaims,
    claimsToGrant: grant.claimsToGrant,
    JwtBackend: backend.JwtBackend,
  };
}

function parse(tree: Tree, payload: unknown): unknown {
  const checked = tree.checkClaims(payload);
  if (!checked.ok) throw new Error("the bench claim set must be valid");
  return tree.claimsToGrant(checked.claims as never, "digest-0123456789");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { before: { type: "string" } } });
  if (values.before === undefined) throw new Error("usage: claims.ts --before DIR");
  const before = await load(values.before);
  const after = await load(resolve(import.meta.dirname, "..", ".."));
  const claims = claimSet();
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .sign(Buffer.from(SECRET));
  // Structured clones: each call sees a fresh payload, as after JSON.parse.
  const inputs = Array.from({ length: 64 }, () => structuredClone(claims));
  console.log(
    `token ${token.length} bytes · payload ${JSON.stringify(claims).length} bytes · load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const timings = compare(
    [
      { name: "before", run: (p: unknown) => parse(before, p) },
      { name: "after", run: (p: unknown) => parse(after, p) },
    ],
    inputs,
    { rounds: 9, callsPerRound: 5_000, warmupCalls: 5_000 },
  );
  for (const t of timings)
    console.log(
      `claims ${t.name}: median ${ns(t.medianNs)} (min ${ns(t.minNs)}, max ${ns(t.maxNs)})`,
    );

  const key = createSecretKey(Buffer.from(SECRET));
  const options = { secret: SECRET, publicKeys: [], clockSkewSeconds: 300, cacheSize: 0 };
  const backends = [before, after].map(
    (tree) =>
      new tree.JwtBackend([{ alg: "HS256", key, label: "secret", clientId: null }], options),
  );
  const samples: number[][] = [[], []];
  const calls = 500;
  for (let round = 0; round < 30; round++) {
    for (let k = 0; k < 2; k++) {
      const i = (k + round) % 2;
      const backend = backends[i];
      if (backend === undefined) continue;
      const start = process.hrtime.bigint();
      for (let c = 0; c < calls; c++) {
        if ((await backend.verify(token, "header")).status !== "valid") throw new Error("invalid");
      }
      // The first two rounds warm up.
      if (round > 1) samples[i]?.push(Number(process.hrtime.bigint() - start) / calls);
    }
  }
  const [b, a] = samples.map((s) => median(s));
  console.log(`verify before: median ${ns(b ?? 0)}`);
  console.log(`verify after: median ${ns(a ?? 0)}`);
  console.log(
    `ratios after/before: claims ${((timings[1]?.medianNs ?? 0) / (timings[0]?.medianNs ?? 1)).toFixed(2)} · verify ${((a ?? 0) / (b ?? 1)).toFixed(2)}`,
  );
}

await main();
