/**
 * Validation of an untrusted bundle payload: its shared values resolved and its shape checked
 * (`payload-shape.ts`, held equal to the zod reference schema in `schema.ts` by a property
 * test), then what a shape cannot say: CIDR text must be canonical, because the range compiler
 * relies on it.
 */
import { parseIpEntry } from "../../ir/ip.ts";
import type { FilterIr, GrantNodeIr, IpSet } from "../../ir/types.ts";
import type { BundlePayload } from "../bundle.ts";
import { parseDottedQuad } from "../../ir/ip.ts";
import { checkPayloadShape } from "./payload-shape.ts";
import { checkShape, SharedTable } from "./shape-checks.ts";

const PREFIX_TEXT = /^(?:0|[1-9][0-9]?)$/;

/** Whether CIDR text is canonical; IPv4 is checked by hand, the rest by the reference parser. */
export function isCanonicalCidr(cidr: string): boolean {
  const slash = cidr.indexOf("/");
  if (slash > 0 && cidr.indexOf(":") < 0) {
    const value = parseDottedQuad(cidr, 0, slash);
    const prefixText = cidr.slice(slash + 1);
    if (value < 0 || !PREFIX_TEXT.test(prefixText)) return false;
    const prefix = Number(prefixText);
    return prefix <= 32 && (prefix === 32 || value % 2 ** (32 - prefix) === 0);
  }
  const parsed = parseIpEntry(cidr);
  return parsed.ok && !parsed.hostBitsSet && parsed.range.cidr === cidr;
}

/** Values already checked (IP sets, filters, grant nodes): shared values come back as one object. */
type Seen = Set<object>;

function badCidrIn(set: IpSet | null, seen: Seen): string | null {
  if (set === null || seen.has(set)) return null;
  seen.add(set);
  for (const range of set.ranges) if (!isCanonicalCidr(range.cidr)) return range.cidr;
  return null;
}

function badCidrInFilter(filter: FilterIr | null, seen: Seen): string | null {
  if (filter === null || seen.has(filter)) return null;
  seen.add(filter);
  if (filter.kind === "and" || filter.kind === "or") {
    for (const child of filter.children) {
      const bad = badCidrInFilter(child, seen);
      if (bad !== null) return bad;
    }
    return null;
  }
  return filter.kind === "ips" ? badCidrIn(filter.within, seen) : null;
}

function badCidrInNode(node: GrantNodeIr | null, seen: Seen): string | null {
  if (node === null || seen.has(node)) return null;
  seen.add(node);
  if (node.kind !== "leaf") {
    for (const child of node.children) {
      const bad = badCidrInNode(child, seen);
      if (bad !== null) return bad;
    }
    return null;
  }
  for (const act of [node.create, node.connect, node.list]) {
    const bad = badCidrInFilter(act?.filter ?? null, seen);
    if (bad !== null) return bad;
  }
  return null;
}

function firstBadCidr(payload: BundlePayload): string | null {
  const seen: Seen = new Set();
  for (const policy of payload.policies) {
    for (const tunnel of policy.tunnels) {
      for (const rule of tunnel.ipRules) {
        const bad = badCidrIn(rule.set, seen);
        if (bad !== null) return bad;
      }
      const bad = badCidrIn(tunnel.allowedIps, seen);
      if (bad !== null) return bad;
    }
    for (const grant of Object.values(policy.grants)) {
      const bad = badCidrInNode(grant.resources, seen);
      if (bad !== null) return bad;
    }
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The payload's `files` table (format version 3), or a problem. */
function fileTable(payload: Record<string, unknown>): readonly string[] | string {
  if (!Object.hasOwn(payload, "files")) return "`files`: missing";
  const files = payload["files"];
  if (!Array.isArray(files)) return "`files`: expected an array";
  const bad = files.findIndex((file) => typeof file !== "string");
  return bad < 0 ? (files as string[]) : `\`files.${bad}\`: expected a string`;
}

/**
 * The payload when it has the expected shape, else the first problem found. A `shared` member
 * (format version 2) holds values the rest refers to by index; they are put in place, so the
 * result is the effective IR with repeated parts shared as one object. The values reachable
 * that way are capped at `maxExpanded` objects and arrays, counted with repetitions. With
 * `spanTuples` (format version 3) the payload has a `files` table, and spans may be
 * `[file, start, end]` tuples: they are put back as span objects.
 */
export function validatePayload(
  payload: unknown,
  maxExpanded = Number.MAX_SAFE_INTEGER,
  spanTuples = false,
): { ok: true; payload: BundlePayload } | { ok: false; problem: string } {
  let rest = payload;
  let table: SharedTable | undefined;
  let files: readonly string[] | null = null;
  if (spanTuples) {
    if (!isRecord(payload)) return { ok: false, problem: "the top level: expected an object" };
    const found = fileTable(payload);
    if (typeof found === "string") return { ok: false, problem: found };
    const { files: _files, ...others } = payload;
    rest = others;
    files = found;
  }
  if (isRecord(rest) && Object.hasOwn(rest, "shared")) {
    const { shared, ...others } = rest;
    if (!Array.isArray(shared)) return { ok: false, problem: "`shared`: expected an array" };
    rest = others;
    table = new SharedTable(shared, maxExpanded, files);
  } else if (files !== null) {
    table = new SharedTable([], maxExpanded, files);
  }
  const problem = checkShape(checkPayloadShape, rest, table);
  if (problem !== null) return { ok: false, problem };
  // INVARIANT: the shape checks mirror EffectivePolicy and Diagnostic field by field.
  const typed = rest as BundlePayload;
  const bad = firstBadCidr(typed);
  if (bad !== null) return { ok: false, problem: `\`${bad}\` is not a canonical CIDR` };
  return { ok: true, payload: typed };
}
