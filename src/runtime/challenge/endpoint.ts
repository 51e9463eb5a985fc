/**
 * The challenge flow's endpoints under `/.well-known/rstream/challenge` (S-C2):
 *
 * - `GET  …/challenge?return=/path` — the verification page with a fresh signed challenge;
 * - `GET  …/challenge/solver.js`, `…/challenge/altcha/*` — the page's scripts;
 * - `POST …/challenge/verify` — checks the solution, sets the per-host challenge cookie
 *   (S-D4) and sends the browser back to where it was going (303).
 *
 * The pipeline calls `handleChallengeEndpoint` after edge access passed (S-O2); the
 * non-GET/upgrade rejection (S-C4) and the token bypass (S-C5) are the decision's.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestFacts } from "../../ir/facts.ts";
import { CHALLENGE_COOKIE, setCookieHeader, signCookie } from "../cookies.ts";
import { DEFAULT_CHALLENGE_OPTIONS } from "./options.ts";
import type { ResolvedChallengeOptions } from "./options.ts";
import { PAGE_HEADERS, challengePage, failurePage } from "./page.ts";
import { ProofOfWork } from "./proof-of-work.ts";
import type { RedeemOnce, SolutionCheck } from "./proof-of-work.ts";
import { readForm } from "./read-form.ts";
import { safeReturnTarget } from "./return-target.ts";
import { CHALLENGE_PREFIX, VERIFY_PATH, loadSolverAssets } from "./solver-assets.ts";
import type { Asset } from "./solver-assets.ts";

/** Largest verification form accepted (a challenge and its solution are about 1 KiB). */
const MAX_FORM_BYTES = 16 * 1024;

/** What the challenge endpoints need; built once per runtime. */
export interface ChallengeContext {
  readonly pow: ProofOfWork;
  readonly assets: ReadonlyMap<string, Asset>;
  readonly cookieKey: string;
  readonly options: ResolvedChallengeOptions;
}

/** Builds the context from the shared cookie key (S-D4) and the challenge options. */
export function createChallengeContext(
  cookieKey: string,
  options: ResolvedChallengeOptions = DEFAULT_CHALLENGE_OPTIONS,
  redeem?: RedeemOnce,
): ChallengeContext {
  return {
    pow: new ProofOfWork(cookieKey, options, redeem),
    assets: loadSolverAssets(),
    cookieKey,
    options,
  };
}

/** The URL of the verification page for a return target (the target must be safe already). */
export function challengePageUrl(returnTo: string): string {
  return `${CHALLENGE_PREFIX}?return=${encodeURIComponent(returnTo)}`;
}

const REFUSALS: Readonly<Record<Exclude<SolutionCheck["status"], "ok">, string>> = {
  malformed: "The verification data was incomplete.",
  invalid: "The verification did not check out.",
  expired: "The verification took too long and expired.",
  wrong_host: "The verification was made for another site.",
  replayed: "This verification was already used.",
  unavailable: "The verification cannot be checked right now. Try again in a moment.",
};

/** Statuses by refusal: a malformed form is the client's error; an unusable store is ours. */
function statusOf(reason: Exclude<SolutionCheck["status"], "ok">): number {
  if (reason === "malformed") return 400;
  return reason === "unavailable" ? 503 : 403;
}

/**
 * Serves one challenge endpoint for a tunnel with challenge mode on. Returns false when the
 * path is not a challenge endpoint (or challenge mode is off), leaving the answer to the caller.
 */
export function handleChallengeEndpoint(
  req: IncomingMessage,
  res: ServerResponse,
  facts: RequestFacts,
  url: string,
  challengeMode: boolean,
  ctx: ChallengeContext,
): boolean {
  if (!challengeMode || !facts.path.startsWith(CHALLENGE_PREFIX)) return false;
  const safe = facts.method === "GET" || facts.method === "HEAD";
  if (facts.path === CHALLENGE_PREFIX && safe) {
    void servePage(res, facts, url, ctx);
    return true;
  }
  if (facts.path === VERIFY_PATH && facts.method === "POST") {
    void verify(req, res, facts, ctx);
    return true;
  }
  const asset = ctx.assets.get(facts.path);
  if (asset !== undefined && safe) {
    res.writeHead(200, {
      "content-type": asset.contentType,
      "content-length": asset.body.length,
      "cache-control": "public, max-age=3600",
      "x-content-type-options": "nosniff",
    });
    res.end(facts.method === "HEAD" ? undefined : asset.body);
    return true;
  }
  return false;
}

function queryParam(url: string, name: string): string | null {
  const q = url.indexOf("?");
  return q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get(name);
}

async function servePage(
  res: ServerResponse,
  facts: RequestFacts,
  url: string,
  ctx: ChallengeContext,
): Promise<void> {
  const returnTo = safeReturnTarget(queryParam(url, "return"));
  if (returnTo === null) {
    sendPage(
      res,
      facts,
      400,
      failurePage(400, "The return address does not belong to this site.", "/"),
    );
    return;
  }
  // Already verified (e.g. a second tab): go straight back.
  if (facts.challengeCookie === "valid") {
    redirect(res, returnTo, []);
    return;
  }
  try {
    const challenge = await ctx.pow.create(facts.host, returnTo);
    sendPage(res, facts, 200, challengePage(challenge));
  } catch {
    sendPage(res, facts, 500, failurePage(500, "The verification could not be prepared.", "/"));
  }
}

async function verify(
  req: IncomingMessage,
  res: ServerResponse,
  facts: RequestFacts,
  ctx: ChallengeContext,
): Promise<void> {
  const read = await readForm(req, MAX_FORM_BYTES);
  if (!read.ok) {
    refuse(res, facts, read.status, "malformed", null);
    return;
  }
  let submitted: unknown = null;
  try {
    submitted = JSON.parse(read.form.get("payload") ?? "null");
  } catch {
    // A payload that is not JSON is refused as malformed below.
  }
  const check = await ctx.pow.verify(submitted, facts.host);
  if (check.status !== "ok") {
    refuse(res, facts, statusOf(check.status), check.status, submittedReturn(submitted));
    return;
  }
  // The target was checked when the challenge was served and is covered by its signature;
  // checking it again costs nothing and keeps this endpoint safe on its own.
  const returnTo = safeReturnTarget(check.returnTo) ?? "/";
  const ttl = ctx.options.cookieTtlSeconds;
  const exp = Math.floor(Date.now() / 1000) + ttl;
  const cookie = signCookie({ kind: "challenge", host: facts.host, exp }, ctx.cookieKey);
  redirect(res, returnTo, [setCookieHeader(CHALLENGE_COOKIE, cookie, ttl, facts.secure)]);
}

/** The return target a refused submission asked for, when it is safe; for the retry link. */
function submittedReturn(submitted: unknown): string | null {
  const data = (
    submitted as { challenge?: { parameters?: { data?: Record<string, unknown> } } } | null
  )?.challenge?.parameters?.data;
  const target = data?.["return"];
  return typeof target === "string" ? safeReturnTarget(target) : null;
}

function refuse(
  res: ServerResponse,
  facts: RequestFacts,
  status: number,
  reason: Exclude<SolutionCheck["status"], "ok">,
  returnTo: string | null,
): void {
  if (!facts.acceptsHtml) {
    const body = JSON.stringify({
      error: {
        reason: reason === "unavailable" ? "state_unavailable" : "policy_denied",
        policy: "challenge",
        detail: reason,
      },
    });
    res.writeHead(status, {
      "content-type": "application/json",
      "cache-control": "no-store",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
    return;
  }
  sendPage(
    res,
    facts,
    status,
    failurePage(status, REFUSALS[reason], challengePageUrl(returnTo ?? "/")),
  );
}

function sendPage(res: ServerResponse, facts: RequestFacts, status: number, html: string): void {
  res.writeHead(status, { ...PAGE_HEADERS, "content-length": Buffer.byteLength(html) });
  res.end(facts.method === "HEAD" ? undefined : html);
}

function redirect(res: ServerResponse, location: string, cookies: readonly string[]): void {
  res.writeHead(303, {
    location,
    "cache-control": "no-store",
    "content-length": 0,
    ...(cookies.length === 0 ? {} : { "set-cookie": [...cookies] }),
  });
  res.end();
}
