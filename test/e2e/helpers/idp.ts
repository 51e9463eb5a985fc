/**
 * A real OpenID Connect provider (`oidc-provider`) on loopback for the browser tests. Its
 * built-in development interactions render a login form (any password is accepted for the
 * accounts below) and a consent page; the test's browser fills them in.
 *
 * The issuer must be known before the runtime starts and the runtime's port before the
 * client's redirect URI is registered, so the server listens first and the provider is
 * attached once the redirect URIs are known.
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Provider } from "oidc-provider";

/** A test user at the IdP. */
export interface TestAccount {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly groups: readonly string[];
}

/** A running test IdP. */
export interface TestIdp {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Registers the client with its redirect URIs and starts answering. */
  configure(redirectUris: readonly string[], accounts: readonly TestAccount[]): void;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 and returns the IdP, not yet configured. */
export async function startTestIdp(): Promise<TestIdp> {
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server: Server = createServer((req, res) => {
    if (handle === null) res.writeHead(503).end("idp not configured");
    else handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = "rampart-e2e";
  const clientSecret = "e2e-client-secret-0123456789abcdef";
  return {
    issuer,
    clientId,
    clientSecret,
    configure(redirectUris, accounts) {
      const byId = new Map(accounts.map((a) => [a.id, a]));
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [...redirectUris],
            grant_types: ["authorization_code"],
            response_types: ["code"],
            token_endpoint_auth_method: "client_secret_basic",
          },
        ],
        claims: {
          openid: ["sub"],
          email: ["email", "email_verified"],
          profile: ["name", "picture", "groups"],
        },
        cookies: { keys: ["e2e-idp-cookie-key-0123456789abcdef"] },
        pkce: { required: () => true },
        findAccount: (_ctx, id) => {
          const account = byId.get(id);
          if (account === undefined) return undefined;
          return {
            accountId: id,
            claims: () => ({
              sub: id,
              email: account.email,
              email_verified: true,
              name: account.name,
              groups: [...account.groups],
            }),
          };
        },
      });
      // Unknown logins are rejected by findAccount returning nothing; keep the test output quiet.
      provider.on("server_error", () => undefined);
      handle = provider.callback() as (req: IncomingMessage, res: ServerResponse) => void;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
