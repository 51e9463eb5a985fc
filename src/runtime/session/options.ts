/**
 * Options of rstream Auth (S-H4), part of the runtime options under `rstreamAuth`: the
 * OpenID Connect identity provider the engine signs users in with. Without them the runtime
 * has no rstream Auth backend and refuses requests that only a session could admit.
 */
import { z } from "zod";

/** The default callback path; register `<scheme>://<tunnel host>[:port]` + this at the IdP. */
export const DEFAULT_CALLBACK_PATH = "/.well-known/rstream/callback";

/** The schema of `rstreamAuth` in the runtime options. */
export const RstreamAuthOptionsSchema = z.strictObject({
  /** The IdP's issuer identifier; its discovery document is read on the first login. */
  issuer: z.url(),
  clientId: z.string().min(1),
  /** A confidential client's secret (`client_secret_basic`); absent: a public client with PKCE only. */
  clientSecret: z.string().min(1).optional(),
  /** Where the IdP sends the browser back, on every tunnel host; must be under `/.well-known/rstream/`. */
  callbackPath: z
    .string()
    .regex(
      /^\/\.well-known\/rstream\/[A-Za-z0-9._-]+$/,
      "must be a path under /.well-known/rstream/",
    )
    .refine((p) => !p.startsWith("/.well-known/rstream/challenge"), "must not be a challenge path")
    .default(DEFAULT_CALLBACK_PATH),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/))
    .default(["openid", "email", "profile"]),
  /** The claim (ID token or userinfo) that lists the user's groups. */
  groupsClaim: z.string().min(1).default("groups"),
  /** Take `email` only when the IdP says `email_verified: true` (allow lists match emails). */
  requireVerifiedEmail: z.boolean().default(true),
  /** Lifetime of the session cookie. */
  sessionTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(12 * 3600),
  /** How long a started login may take at the IdP. */
  loginTtlSeconds: z.number().int().min(30).max(3600).default(600),
  /** Timeout of each request to the IdP (discovery, token, userinfo). */
  requestTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
});

/** rstream Auth options as callers write them. */
export type RstreamAuthOptions = z.input<typeof RstreamAuthOptionsSchema>;
/** rstream Auth options with defaults filled. */
export type ResolvedRstreamAuthOptions = z.output<typeof RstreamAuthOptionsSchema>;
