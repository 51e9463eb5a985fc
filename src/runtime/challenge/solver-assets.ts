/**
 * The scripts of the verification page, served by the engine itself (never from a CDN, so
 * the page works on an isolated network and a strict CSP can allow `'self'` only): altcha-lib's
 * own browser-capable modules (the solver and the WebCrypto SHA-256 key derivation), copied
 * byte for byte from the installed package, and a small script that solves the embedded
 * challenge and submits the form.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CHALLENGE_PATH } from "../http/respond.ts";

/** Where the verification page and its scripts live (the pipeline's `challenge` redirect target). */
export const CHALLENGE_PREFIX = CHALLENGE_PATH;

/** The form the page submits to. */
export const VERIFY_PATH = `${CHALLENGE_PREFIX}/verify`;

const SOLVER_PATH = `${CHALLENGE_PREFIX}/solver.js`;

/** The script the page loads. */
export const SOLVER_SCRIPT_PATH = SOLVER_PATH;

// The files altcha-lib's browser solver needs, at their paths relative to its `dist/esm/v2`
// directory, so its relative imports (`./helpers.js`, `../../helpers.js`) resolve unchanged.
const ALTCHA_FILES = ["pow.js", "helpers.js", "types.js", "algorithms/web/sha.js"] as const;

const SOLVER_SCRIPT = `// Solves the engine's proof-of-work challenge, then submits the form (S-C2).
import { solveChallenge } from "./altcha/pow.js";
import { deriveKey } from "./altcha/algorithms/web/sha.js";

const form = document.getElementById("rampart-challenge");
const status = document.getElementById("rampart-status");
const challenge = JSON.parse(form.dataset.challenge);
const solution = await solveChallenge({ challenge, deriveKey, timeout: 120000 });
if (solution === null) {
  status.textContent = "Verification took too long. Reload the page to try again.";
} else {
  form.elements.payload.value = JSON.stringify({ challenge, solution });
  status.textContent = "Verified. Continuing\\u2026";
  form.submit();
}
`;

/** A static script: its body and content type. */
export interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
}

/** Reads every asset once; a missing file is a broken installation, reported at startup. */
export function loadSolverAssets(): ReadonlyMap<string, Asset> {
  const altchaDir = dirname(fileURLToPath(import.meta.resolve("altcha-lib")));
  const assets = new Map<string, Asset>();
  const js = "text/javascript; charset=utf-8";
  assets.set(SOLVER_PATH, { body: Buffer.from(SOLVER_SCRIPT), contentType: js });
  for (const file of ALTCHA_FILES) {
    assets.set(`${CHALLENGE_PREFIX}/altcha/${file}`, {
      body: readFileSync(join(altchaDir, file)),
      contentType: js,
    });
  }
  return assets;
}
