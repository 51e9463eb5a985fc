/**
 * Edits of the kinds a pull request makes, applied to the text of the parse bench's large
 * policy (`parse-policy.ts`) for the diff-at-scale bench (issue #19). Each edit changes
 * something some request sees: grants are picked among those naming one tunnel that takes
 * tokens, tunnels among those with a trusted-IP list.
 */

/** The kinds of one edit the bench measures. */
export const EDIT_KINDS = [
  "grant path widened",
  "grant filter widened",
  "tunnel CIDR widened",
  "project bound changed",
] as const;
export type EditKind = (typeof EDIT_KINDS)[number];

interface Block {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The top-level `kind "name" { … }` blocks of the policy text, by name. */
function blocks(text: string, kind: "tunnel" | "grant"): Map<string, Block> {
  const out = new Map<string, Block>();
  const head = new RegExp(`^${kind} "([^"]+)" \\{$`, "gm");
  for (const m of text.matchAll(head)) {
    const start = m.index;
    const end = text.indexOf("\n}\n", start) + 3;
    out.set(m[1] as string, { start, end, text: text.slice(start, end) });
  }
  return out;
}

const takesTokens = (b: Block | undefined): boolean =>
  b !== undefined && b.text.includes("protocol http") && b.text.includes("auth token");

/** Applies `count` edits (cycling through `kinds`) to the policy text. */
export function applyEdits(text: string, kinds: readonly EditKind[], count: number): string {
  const tunnels = blocks(text, "tunnel");
  const grants = blocks(text, "grant");
  const replaced = new Map<number, Block>(); // block start → new block
  const grantPool = [...grants.values()].filter((g) => {
    const target = /connect where id = "([^"]+)" \{/.exec(g.text)?.[1];
    return target !== undefined && takesTokens(tunnels.get(target));
  });
  const tunnelPool = [...tunnels.values()].filter(
    (t) => takesTokens(t) && /trusted_ips \[10\.\d+\.\d+\.0\/24/.test(t.text),
  );
  const tokenTunnels = [...tunnels.keys()].filter((id) => takesTokens(tunnels.get(id)));
  let project = text.slice(0, text.indexOf("\n}\n") + 3);
  for (let k = 0; k < count; k++) {
    const kind = kinds[k % kinds.length] as EditKind;
    const n = Math.floor(k / kinds.length);
    if (kind === "project bound changed") {
      project = project.replace(
        "trusted_ips [10.0.0.0/8,",
        "trusted_ips [10.0.0.0/8, 198.51.100.0/24,",
      );
      continue;
    }
    const pool = kind === "tunnel CIDR widened" ? tunnelPool : grantPool;
    // Grant edits take grants from both ends so path and filter edits never share one.
    const block = kind === "grant filter widened" ? pool[pool.length - 1 - n] : pool[n];
    if (block === undefined) throw new Error(`not enough blocks for ${count} edits`);
    let edited: string;
    if (kind === "grant path widened") {
      edited = block.text.replace(/path prefix \["\/v1\/svc\d+\/"/, 'path prefix ["/v1/"');
    } else if (kind === "grant filter widened") {
      const other = tokenTunnels[(n * 7919) % tokenTunnels.length] as string;
      edited = block.text.replace(
        /connect where id = "([^"]+)" \{/,
        `connect where id in ["$1", "${other}"] {`,
      );
    } else {
      edited = block.text.replace(
        /trusted_ips \[10\.(\d+)\.\d+\.0\/24/,
        "trusted_ips [10.$1.0.0/16",
      );
    }
    if (edited === block.text) throw new Error(`edit ${kind} changed nothing`);
    replaced.set(block.start, { ...block, text: edited });
  }
  const parts = [project];
  let at = text.indexOf("\n}\n") + 3;
  for (const block of [...replaced.values()].sort((a, b) => a.start - b.start)) {
    parts.push(text.slice(at, block.start), block.text);
    at = block.end;
  }
  parts.push(text.slice(at));
  return parts.join("");
}
