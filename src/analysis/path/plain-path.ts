/**
 * Paths that `normalizePath` returns unchanged, recognized by one regex test: a leading `/`,
 * then segments of letters, digits, `-`, `_` and `~` (RFC 3986 unreserved characters without
 * `.`), no empty segment except a trailing slash. Such a path has no escape to decode, no
 * character to encode, no dot segment and no `//`, so each normalization step is the
 * identity on it. Lint asks this of one candidate path per grant; the property tests hold it
 * to `normalizePath`.
 */
import { MAX_PATH_LENGTH } from "../../ir/path.ts";

const PLAIN_PATH = /^\/(?:[A-Za-z0-9_~-]+\/)*[A-Za-z0-9_~-]*$/;

/** True only for paths that `normalizePath` accepts and returns unchanged. */
export function isPlainNormalizedPath(path: string): boolean {
  return path.length <= MAX_PATH_LENGTH && PLAIN_PATH.test(path);
}
