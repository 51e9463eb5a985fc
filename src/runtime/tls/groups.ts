/**
 * Key-exchange groups per post-quantum mode (S-A6): the `ecdhCurve` list each tunnel's
 * SecureContext gets, and the IANA code points needed to tell which group a ClientHello
 * will end up with.
 */
import type { FeatureMode } from "../../ir/types.ts";

/** OpenSSL group name → IANA named-group code point. */
export const GROUP_CODE_POINTS: Readonly<Record<string, number>> = {
  "P-256": 23,
  "P-384": 24,
  "P-521": 25,
  X25519: 29,
  X448: 30,
  SecP256r1MLKEM768: 0x11eb,
  X25519MLKEM768: 0x11ec,
  SecP384r1MLKEM1024: 0x11ed,
};

const CODE_POINT_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(GROUP_CODE_POINTS).map(([name, code]) => [code, name]),
);

/** The hybrid (classical + ML-KEM) groups, most preferred first. */
export const HYBRID_GROUPS: readonly string[] = [
  "X25519MLKEM768",
  "SecP256r1MLKEM768",
  "SecP384r1MLKEM1024",
];
const FIPS_HYBRID_GROUPS: readonly string[] = ["SecP256r1MLKEM768", "SecP384r1MLKEM1024"];
const CLASSICAL_GROUPS: readonly string[] = ["X25519", "P-256", "P-384"];
const FIPS_CLASSICAL_GROUPS: readonly string[] = ["P-256", "P-384"];

/**
 * The groups a tunnel offers, in preference order; `null` leaves OpenSSL's default list
 * (which already prefers X25519MLKEM768 on OpenSSL 3.5) for `off` without FIPS.
 */
export function groupsFor(mode: FeatureMode, fips: boolean): readonly string[] | null {
  const hybrids = fips ? FIPS_HYBRID_GROUPS : HYBRID_GROUPS;
  const classical = fips ? FIPS_CLASSICAL_GROUPS : CLASSICAL_GROUPS;
  if (mode === "required") return hybrids;
  if (mode === "preferred") return [...hybrids, ...classical];
  return fips ? classical : null;
}

/** True for a hybrid post-quantum group name. */
export function isHybridGroup(name: string): boolean {
  return HYBRID_GROUPS.includes(name);
}

/**
 * The group the handshake settles on, inferred from the ClientHello: Node reports no
 * negotiated group on the server side. OpenSSL picks, in the server's list order, a group the
 * client sent a key share for; failing that it asks for one (HelloRetryRequest) from the
 * client's supported groups. `null` when nothing known matches.
 */
export function negotiatedGroup(
  serverGroups: readonly string[] | null,
  keyShares: readonly number[],
  supported: readonly number[],
): string | null {
  if (serverGroups === null) {
    for (const code of keyShares) {
      const name = CODE_POINT_NAMES.get(code);
      if (name !== undefined) return name;
    }
    return null;
  }
  const pick = (codes: readonly number[]): string | null =>
    serverGroups.find((g) => codes.includes(GROUP_CODE_POINTS[g] ?? -1)) ?? null;
  return pick(keyShares) ?? pick(supported);
}
