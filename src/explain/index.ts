/** Rendering of decisions and traces for `rampart explain` and `rampart test`. */
export { explainRequest } from "./explain.ts";
export type { Explanation } from "./explain.ts";
export {
  describeDecision,
  renderExplanation,
  renderSpanFrame,
  renderTrace,
} from "./render-trace.ts";
export { renderTestReport } from "./render-tests.ts";
