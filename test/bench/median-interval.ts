/**
 * A confidence interval for the median of paired differences, without assuming their
 * distribution: between two order statistics of the sample, chosen from the binomial
 * distribution of how many values fall below the true median (each does with probability ½).
 * A bench's Δ row then says whether its target is met, missed, or not decided by the run:
 * a median alone cannot tell a 1 µs target from noise of a few µs.
 */

/** The median's interval: `[lo, hi]` holds the true median with at least `confidence`. */
export interface MedianInterval {
  readonly median: number;
  readonly lo: number;
  readonly hi: number;
  /** The interval's actual coverage (order statistics move it in steps). */
  readonly coverage: number;
}

/** P(X ≤ k) for X ~ Binomial(n, ½). */
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
 * The median of `values` and its interval: the k-th smallest and k-th largest value, with the
 * largest k whose two tails together stay within 1 − `confidence`. Too few values for that
 * (fewer than 6 at 95 %) give the whole range, with its coverage.
 */
export function medianInterval(values: readonly number[], confidence = 0.95): MedianInterval {
  if (values.length === 0) throw new RangeError("no values");
  const sorted = [...values].sort((x, y) => x - y);
  const n = sorted.length;
  const mid = n >> 1;
  const median =
    n % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  let k = 1;
  while (k < mid && 2 * binomialHalfCdf(n, k) <= 1 - confidence) k++;
  return {
    median,
    lo: sorted[k - 1] as number,
    hi: sorted[n - k] as number,
    coverage: 1 - 2 * binomialHalfCdf(n, k - 1),
  };
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
