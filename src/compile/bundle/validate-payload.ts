/**
 * Validation of an untrusted bundle payload: its shape (`payload-shape.ts`, held equal to the
 * zod reference schema in `schema.ts` by a property test), then what a shape cannot say: CIDR
 * text must be canonical, because the range compiler relies on it.
 */
import { parseIpEntry } from "../../ir/ip.ts";
import type { FilterIr, GrantNodeIr, IpSet } from "../../ir/types.ts";
import type { BundlePayload } from "../bundle.ts";
import { parseDottedQuad } from "../matchers/address.ts";
import { checkPayloadShape } from "./payload-shape.ts";

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

function badCidrIn(set: IpSet | null): string | null {
  if (set === null) return null;
  for (const range of set.ranges) if (!isCanonicalCidr(range.cidr)) return range.cidr;
  return null;
}

function badCidrInFilter(filter: FilterIr | null): string | null {
  if (filter === null) return null;
  if (filter.kind === "and" || filter.kind === "or") {
    for (const child of filter.children) {
      const bad = badCidrInFilter(child);
      if (bad !== null) return bad;
    }
    return null;
  }
  return filter.kind === "ips" ? badCidrIn(filter.within) : null;
}

function badCidrInNode(node: GrantNodeIr | null): string | null {
  if (node === null) return null;
  if (node.kind !== "leaf") {
    for (const child of node.children) {
      const bad = badCidrInNode(child);
      if (bad !== null) return bad;
    }
    return null;
  }
  for (const act of [node.create, node.connect, node.list]) {
    const bad = badCidrInFilter(act?.filter ?? null);
    if (bad !== null) return bad;
  }
  return null;
}

function firstBadCidr(payload: BundlePayload): string | null {
  for (const policy of payload.policies) {
    for (const tunnel of policy.tunnels) {
      for (const rule of tunnel.ipRules) {
        const bad = badCidrIn(rule.set);
        if (bad !== null) return bad;
      }
      const bad = badCidrIn(tunnel.allowedIps);
      if (bad !== null) return bad;
    }
    for (const grant of Object.values(policy.grants)) {
      const bad = badCidrInNode(grant.resources);
      if (bad !== null) return bad;
    }
  }
  return null;
}

/** The payload when it has the expected shape, else the first problem found. */
export function validatePayload(
  payload: unknown,
): { ok: true; payload: BundlePayload } | { ok: false; problem: string } {
  const problem = checkPayloadShape(payload, "");
  if (problem !== null) return { ok: false, problem };
  // INVARIANT: the shape checks mirror EffectivePolicy and Diagnostic field by field.
  const typed = payload as BundlePayload;
  const bad = firstBadCidr(typed);
  if (bad !== null) return { ok: false, problem: `\`${bad}\` is not a canonical CIDR` };
  return { ok: true, payload: typed };
}
