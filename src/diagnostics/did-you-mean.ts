/**
 * "Did you mean …?" suggestions: the closest candidate by edit distance (Levenshtein), as
 * Cedar's `fuzzy_match` does. Case and `-`/`_` differences cost nothing, because
 * `tls-min-version` and `TLS_MIN_VERSION` are plainly meant as `tls_min_version`.
 */

/** Edit distance between two strings (insertions, deletions, substitutions; UTF-16 units). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

const normalize = (s: string): string => s.toLowerCase().replaceAll("-", "_");

/**
 * The candidate closest to `input`, if it is close enough to be a likely typo: at most a
 * third of the input's length away (and at least one edit is always tolerated). Ties go to
 * the earlier candidate, so callers order candidates by preference.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  // Long inputs are not typos of short names; skipping them also bounds the work.
  if (input.length > 64) return undefined;
  const wanted = normalize(input);
  const limit = Math.max(1, Math.floor(input.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const distance = editDistance(wanted, normalize(candidate));
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
