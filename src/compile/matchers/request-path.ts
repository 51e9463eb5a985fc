/**
 * The request path, normalized once per request for every path matcher (SPEC S-T5). The
 * rules are the IR's `normalizePath` (see docs/path-normalization.md); this module only adds
 * a fast path: a path made of characters a path may hold raw, without `%`, `//`, dot segments
 * or `;` on a dot segment, is already in normal form, so it is returned as it is (up to `?`
 * or `#`). Everything else goes through `normalizePath`.
 */
import { normalPathEnd } from "../../ir/normal-path-end.ts";
import { MAX_PATH_LENGTH, normalizePath } from "../../ir/path.ts";

/**
 * The normalized path, or `null` when `normalizePath` refuses it (such a path matches no
 * path restriction: fail closed). Equal to `normalizePath(raw)` in every case.
 */
export function normalizeRequestPath(raw: string): string | null {
  const end = normalPathEnd(raw);
  if (end >= 0 && end <= MAX_PATH_LENGTH) return end === raw.length ? raw : raw.slice(0, end);
  const normalized = normalizePath(raw);
  return normalized.ok ? normalized.path : null;
}
