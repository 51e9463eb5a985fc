/**
 * Compiled grants for one policy: token grants compiled on first use and kept in a bounded
 * LRU keyed by token id (a grant never changes for a given token id, so a hit needs no
 * comparison), and credential grants compiled once per credential name. Token ids whose grant
 * is the same object (the policy's own grant, as the runtime resolves it) share one compiled
 * grant, held weakly by that object.
 */
import type { EffectivePolicy, RuleRef } from "../../bounds/effective.ts";
import { insufficientScopeVerdict } from "../../bounds/verdicts.ts";
import type { Decision } from "../../ir/decision.ts";
import type { CredentialIr, GrantIr } from "../../ir/types.ts";
import { LruCache } from "../lru.ts";
import { compileGrant, grantRuleOf } from "./compile-grant.ts";
import type { CompiledGrant } from "./compile-grant.ts";

/** How many token grants a policy keeps compiled (per generation of the LRU). */
export const TOKEN_GRANT_CACHE_SIZE = 10_000;

/** A compiled grant with the decisions that cite it, built once. */
export interface GrantEntry {
  readonly grant: CompiledGrant;
  readonly rule: RuleRef;
  /** 403 `insufficient_scope` citing the grant, for the token and the mTLS stage. */
  readonly insufficientToken: Decision;
  readonly insufficientMtls: Decision;
}

/** A client credential and its grant; `entry` is null when the grant does not exist. */
export interface CredentialEntry {
  readonly credential: CredentialIr;
  readonly entry: GrantEntry | null;
  /** The rule a refusal cites: the grant's, or the credential's when the grant is missing. */
  readonly rule: RuleRef;
  readonly insufficient: Decision;
}

function entryOf(grant: GrantIr): GrantEntry {
  const rule = grantRuleOf(grant);
  return {
    grant: compileGrant(grant),
    rule,
    insufficientToken: Object.freeze(insufficientScopeVerdict(rule, "token")),
    insufficientMtls: Object.freeze(insufficientScopeVerdict(rule, "mtls")),
  };
}

/** The grant caches of one compiled policy. */
export class GrantCache {
  readonly #byTokenId: LruCache<string, GrantEntry>;
  readonly #byObject = new WeakMap<GrantIr, GrantEntry>();
  readonly #credentials = new Map<string, CredentialEntry | null>();
  readonly #policy: EffectivePolicy;

  constructor(policy: EffectivePolicy, capacity = TOKEN_GRANT_CACHE_SIZE) {
    this.#policy = policy;
    this.#byTokenId = new LruCache(capacity);
  }

  /** The compiled grant of a valid token. HOT PATH: one Map read on a hit. */
  forToken(id: string | null, grant: GrantIr): GrantEntry {
    if (id === null) {
      // Without an id there is no stable key; the grant object itself is one.
      let entry = this.#byObject.get(grant);
      if (entry === undefined) this.#byObject.set(grant, (entry = entryOf(grant)));
      return entry;
    }
    let entry = this.#byTokenId.get(id);
    if (entry === undefined) {
      // Tokens resolved to the same grant object share one compiled grant (and its per-tunnel
      // scopes), so a new token id costs a Map entry, not a compilation.
      entry = this.#byObject.get(grant);
      if (entry === undefined) this.#byObject.set(grant, (entry = entryOf(grant)));
      this.#byTokenId.set(id, entry);
    }
    return entry;
  }

  /** The credential named by the handshake, or null when the policy has none of that name. */
  forCredential(name: string): CredentialEntry | null {
    const cached = this.#credentials.get(name);
    if (cached !== undefined) return cached;
    const credential = this.#policy.credentials.find((c) => c.name === name);
    let result: CredentialEntry | null = null;
    if (credential !== undefined) {
      const grants = this.#policy.grants;
      const grant = Object.hasOwn(grants, credential.grant) ? grants[credential.grant] : undefined;
      const entry = grant === undefined ? null : entryOf(grant);
      const rule = entry?.rule ?? {
        rule: `credential:${credential.name}`,
        origin: credential.origin ?? null,
      };
      result = {
        credential,
        entry,
        rule,
        insufficient:
          entry?.insufficientMtls ?? Object.freeze(insufficientScopeVerdict(rule, "mtls")),
      };
    }
    // Only names the policy knows are cached, so unknown names from clients cannot grow the map.
    if (result !== null) this.#credentials.set(name, result);
    return result;
  }
}
