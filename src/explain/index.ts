/** Rendering of decisions and traces for `rampart explain` and `rampart test`. */
export {
  describeDecision,
  renderExplanation,
  renderSpanFrame,
  renderTrace,
} from "./render-trace.ts";
export { renderTestReport } from "./render-tests.ts";
