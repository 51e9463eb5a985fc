/** The shape of one benchmark module that `test/bench/run.ts` can run. */

/** One row of a result table: a label and named figures (already formatted). */
export interface BenchRow {
  readonly label: string;
  readonly figures: Readonly<Record<string, string>>;
}

/** A named benchmark; `run` prints nothing itself and returns its table. */
export interface BenchModule {
  readonly name: string;
  readonly description: string;
  run(options: BenchOptions): Promise<readonly BenchRow[]> | readonly BenchRow[];
}

/** Options every bench honours. */
export interface BenchOptions {
  /** Fewer rounds and calls: for a smoke run in CI, not for figures. */
  readonly quick: boolean;
}
