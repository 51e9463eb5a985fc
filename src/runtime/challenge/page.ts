/**
 * The verification page (S-C2): a small HTML document that carries one signed challenge
 * and a form, and loads the solver script. Served with a CSP that allows only the engine's
 * own scripts and form target, so nothing on the page can be injected or framed.
 */
import type { Challenge } from "altcha-lib/types";
import { SOLVER_SCRIPT_PATH, VERIFY_PATH } from "./solver-assets.ts";

/**
 * Security headers for every engine page of the flows. No `form-action`: browsers apply it
 * to the redirects that follow a submission too, and the verification form's 303 may lead
 * on to the IdP (challenge first, then sign-in, S-C5). The form's target is fixed in the
 * page, and with no inline script allowed nothing can add another form.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** Escapes text for an HTML attribute value or element content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page that solves `challenge` and submits it with `returnTo`. */
export function challengePage(challenge: Challenge): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Checking your browser</title>
<script type="module" src="${SOLVER_SCRIPT_PATH}"></script>
</head>
<body>
<h1>Checking your browser</h1>
<p id="rampart-status">This takes a moment and continues by itself.</p>
<noscript><p>This check needs JavaScript. Enable it and reload the page.</p></noscript>
<form id="rampart-challenge" method="post" action="${VERIFY_PATH}" data-challenge="${escapeHtml(JSON.stringify(challenge))}">
<input type="hidden" name="payload" value="">
</form>
</body>
</html>
`;
}

/** A short page for a refused verification, with a link to start over. */
export function failurePage(status: number, message: string, retryHref: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Verification failed</title></head>
<body>
<h1>Verification failed (${status})</h1>
<p>${escapeHtml(message)}</p>
<p><a href="${escapeHtml(retryHref)}">Try again</a></p>
</body>
</html>
`;
}
