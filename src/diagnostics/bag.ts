import { hasErrors, sortDiagnostics } from "./diagnostic.ts";
import type { Diagnostic, Outcome } from "./diagnostic.ts";

/** The most diagnostics one stage reports before it stops collecting (OPA keeps 10, we keep 50). */
export const DEFAULT_MAX_DIAGNOSTICS = 50;

/** Collects diagnostics for one stage, capped, and turns them into an Outcome. */
export class DiagnosticBag {
  readonly #items: Diagnostic[] = [];
  readonly #max: number;
  #dropped = 0;

  constructor(max: number = DEFAULT_MAX_DIAGNOSTICS) {
    this.#max = max;
  }

  add(diagnostic: Diagnostic): void {
    if (this.#items.length < this.#max) this.#items.push(diagnostic);
    else this.#dropped++;
  }

  addAll(diagnostics: readonly Diagnostic[]): void {
    for (const d of diagnostics) this.add(d);
  }

  /** Counts diagnostics a stage found but did not build, since the bag could not keep them. */
  addDropped(count: number): void {
    this.#dropped += count;
  }

  /** How many more diagnostics the bag keeps. */
  get room(): number {
    return this.#max - this.#items.length;
  }

  hasErrors(): boolean {
    return hasErrors(this.#items);
  }

  /** Diagnostics sorted by span; a last `RP9002` entry tells how many were left out. */
  get diagnostics(): Diagnostic[] {
    const sorted = sortDiagnostics(this.#items);
    if (this.#dropped > 0) {
      sorted.push({
        code: "RP9002",
        severity: "info",
        message: `${this.#dropped} more diagnostics were not shown`,
        help: "fix the ones above and run again",
      });
    }
    return sorted;
  }

  ok<T>(value: T): Outcome<T> {
    return { value, diagnostics: this.diagnostics };
  }

  fail<T>(): Outcome<T> {
    return { value: undefined, diagnostics: this.diagnostics };
  }

  /** `ok(value)` unless an error was collected. */
  finish<T>(value: T): Outcome<T> {
    return this.hasErrors() ? this.fail() : this.ok(value);
  }
}
