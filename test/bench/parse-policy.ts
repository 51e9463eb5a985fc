/**
 * A seeded, realistic large policy for the parse bench: one project, `tunnels` tunnels of
 * mixed protocols and settings, `grants` grants that each reach a few of them. Written as DSL
 * text; the JSON form is the parsed document of that text, so both front ends read the same
 * policy.
 */
import { seededRandom } from "./harness.ts";

const TEAMS = ["core", "frontend", "platform", "data", "billing", "growth", "infra", "ml"];
const ENVS = ["prod", "staging", "dev"];
const COUNTRIES = ["DE", "FR", "NL", "US", "GB", "SE", "PL", "ES", "IT", "CA", "JP", "BR"];
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function some<T>(random: () => number, items: readonly T[], max: number): T[] {
  const count = 1 + Math.floor(random() * max);
  return [...new Set(Array.from({ length: count }, () => pick(random, items)))];
}

function cidr(random: () => number): string {
  const octet = (): number => Math.floor(random() * 256);
  return `10.${octet()}.${octet()}.0/24`;
}

function tunnel(random: () => number, i: number): string {
  const team = pick(random, TEAMS);
  const env = pick(random, ENVS);
  const lines = [`tunnel "t${i}" {`, `  name "Service ${i}"`];
  lines.push(`  labels { env = "${env}", team = "${team}" }`);
  const kind = random();
  if (kind < 0.8) {
    lines.push("  protocol http", `  hosts ["t${i}.example.test"]`, "  public");
    lines.push(`  upstream "http://10.${i >> 8}.${i & 255}.10:8080"`);
    lines.push(random() < 0.5 ? "  auth token" : "  auth token, rstream-auth");
    if (random() < 0.5) lines.push(`  geo_ip [${some(random, COUNTRIES, 4).join(", ")}]`);
    if (random() < 0.4)
      lines.push(
        `  trusted_ips [${some(random, [0, 1, 2], 3)
          .map(() => cidr(random))
          .join(", ")}]`,
      );
    if (random() < 0.2) lines.push("  tls_min 1.3");
  } else if (kind < 0.9) {
    lines.push("  protocol tls-passthrough", `  hosts ["t${i}.example.test"]`, "  public");
    lines.push(`  upstream "tcp://10.${i >> 8}.${i & 255}.10:8443"`);
  } else {
    lines.push("  protocol tcp", "  private", `  upstream "tcp://10.${i >> 8}.${i & 255}.10:5432"`);
  }
  lines.push("}", "");
  return lines.join("\n");
}

function grant(random: () => number, i: number, tunnels: number): string {
  const target = Math.floor(random() * tunnels);
  const lines = [`grant "g${i}" {`, "  type app", "  permissions [tunnels.streams.create-delete]"];
  lines.push("  resources scope {", '    projects ["bench"]');
  const where =
    random() < 0.7
      ? `id = "t${target}"`
      : `labels.team = "${pick(random, TEAMS)}" and labels.env = "${pick(random, ENVS)}"`;
  lines.push(`    connect where ${where} {`);
  lines.push(`      path prefix ["/v1/svc${i}/", "/v2/svc${i}/"]`);
  lines.push(`      methods [${some(random, METHODS, 3).join(", ")}]`);
  lines.push("    }", "  }", "}", "");
  return lines.join("\n");
}

/** The DSL text of a policy with `tunnels` tunnels and `grants` grants (same seed, same text). */
export function largePolicyDsl(tunnels: number, grants: number, seed = 7): string {
  const random = seededRandom(seed);
  const parts = [
    'project "bench" {',
    '  name "Parse bench"',
    "  plan enterprise",
    "  public_access allowed",
    "  trusted_ips [10.0.0.0/8, 192.0.2.0/24, 2001:db8::/32]",
    "  tls_min 1.2",
    "}",
    "",
  ];
  for (let i = 0; i < tunnels; i++) parts.push(tunnel(random, i));
  for (let i = 0; i < grants; i++) parts.push(grant(random, i, tunnels));
  return parts.join("\n");
}
