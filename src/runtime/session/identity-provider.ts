/**
 * The OpenID Connect client (openid-client v6) for one runtime: discovery on first use (and
 * again after a failure, so an IdP that was down at start does not need a restart), the
 * authorization URL with state, nonce and PKCE (S256), and the code exchange with every check
 * openid-client makes (issuer, audience, signature, nonce, state, PKCE).
 */
import * as oidc from "openid-client";
import type { ResolvedRstreamAuthOptions } from "./options.ts";

/** The secrets of one login, kept in the login cookie between redirect and callback. */
export interface LoginSecrets {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** The claims of a signed-in user, merged from the ID token and the userinfo endpoint. */
export type UserClaims = Readonly<Record<string, unknown>> & { readonly sub: string };

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** The IdP as the login flow uses it. */
export class IdentityProvider {
  readonly #options: ResolvedRstreamAuthOptions;
  #config: Promise<oidc.Configuration> | null = null;

  constructor(options: ResolvedRstreamAuthOptions) {
    this.#options = options;
  }

  /** The options this provider was built from. */
  get options(): ResolvedRstreamAuthOptions {
    return this.#options;
  }

  /** Fresh secrets for a login. */
  static newSecrets(): LoginSecrets {
    return {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
    };
  }

  /** The IdP authorization URL that starts a login returning to `redirectUri`. */
  async authorizationUrl(redirectUri: string, secrets: LoginSecrets): Promise<URL> {
    const config = await this.#configuration();
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      response_type: "code",
      scope: this.#options.scopes.join(" "),
      state: secrets.state,
      nonce: secrets.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(secrets.codeVerifier),
      code_challenge_method: "S256",
    });
  }

  /** Exchanges the callback's code and returns the user's claims; throws on any failed check. */
  async completeLogin(
    callbackUrl: URL,
    redirectUri: string,
    secrets: LoginSecrets,
  ): Promise<UserClaims> {
    const config = await this.#configuration();
    const tokens = await oidc.authorizationCodeGrant(
      config,
      callbackUrl,
      {
        expectedState: secrets.state,
        expectedNonce: secrets.nonce,
        pkceCodeVerifier: secrets.codeVerifier,
      },
      { redirect_uri: redirectUri },
    );
    const idToken = tokens.claims();
    if (idToken === undefined) throw new Error("the identity provider returned no ID token");
    let userinfo: Readonly<Record<string, unknown>> = {};
    // Many IdPs put profile claims only in userinfo; its `sub` must match the ID token's.
    if (config.serverMetadata().userinfo_endpoint !== undefined) {
      userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub);
    }
    return { ...userinfo, ...idToken, sub: idToken.sub };
  }

  #configuration(): Promise<oidc.Configuration> {
    if (this.#config === null) {
      const o = this.#options;
      const issuer = new URL(o.issuer);
      // Plain HTTP only for an IdP on this machine (tests, local development).
      const insecure = issuer.protocol === "http:" && LOOPBACK_HOSTS.has(issuer.hostname);
      const auth =
        o.clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(o.clientSecret);
      const pending = oidc.discovery(issuer, o.clientId, undefined, auth, {
        timeout: Math.ceil(o.requestTimeoutMs / 1000),
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      // A failed discovery is retried by the next login instead of being cached.
      pending.catch(() => {
        if (this.#config === pending) this.#config = null;
      });
      this.#config = pending;
    }
    return this.#config;
  }
}
