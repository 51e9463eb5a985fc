/**
 * A confidence interval for the median of paired differences, without assuming their
 * distribution: between two order statistics of the sample, chosen from the binomial
 * distribution of how many values fall below the true median (each does with probability ½).
 * A bench's Δ row then says whether its target is met, missed, or not decided by the run:
 * a median alone cannot tell a 1 µs target from noise of a few µs.
 */

/** The median's interval: `[lo, hi]` holds the true median with probability `coverage`. */
export interface MedianInterval {
  readonly median: number;
  readonly lo: number;
  readonly hi: number;
  /** The interval's actual coverage (order statistics move it in steps). */
  readonly coverage: number;
}

/** P(X ≤ k) for X ~ Binomial(n, ½); n stays far below 1,074, where ½ⁿ underflows. */
function binomialHalfCdf(n: number, k: number): number {
  let term = 0.5 ** n; // C(n, 0) / 2^n
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}

/**
 * Which order statistics bound the median of `n` values: the k-th smallest and k-th largest,
 * with the largest k whose two tails together stay within 1 − `confidence`, and the coverage
 * that gives. Too few values (fewer than 6 at 95 %) give the whole range, covering less.
 */
export function orderStatisticsFor(
  n: number,
  confidence = 0.95,
): { readonly k: number; readonly coverage: number } {
  let k = 1;
  while (k < n >> 1 && 2 * binomialHalfCdf(n, k) <= 1 - confidence) k++;
  return { k, coverage: 1 - 2 * binomialHalfCdf(n, k - 1) };
}

/** The median of `values` and its interval (`orderStatisticsFor`). */
export function medianInterval(values: readonly number[], confidence = 0.95): MedianInterval {
  if (values.length === 0) throw new RangeError("no values");
  const sorted = [...values].sort((x, y) => x - y);
  const n = sorted.length;
  const mid = n >> 1;
  const median =
    n % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  const { k, coverage } = orderStatisticsFor(n, confidence);
  return { median, lo: sorted[k - 1] as number, hi: sorted[n - k] as number, coverage };
}

/** What an interval says about `value ≤ limit`. */
export type Verdict = "met" | "not met" | "not decided";

/** Decided only by an interval that covers `confidence`: too few values decide nothing. */
export function verdict(interval: MedianInterval, limit: number, confidence = 0.95): Verdict {
  if (interval.coverage < confidence) return "not decided";
  if (interval.hi <= limit) return "met";
  if (interval.lo > limit) return "not met";
  return "not decided";
}
