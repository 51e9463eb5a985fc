/**
 * The header fields that ask an upstream framework to read a request as another method
 * (SPEC S-R12, S-R17). The runtime strips them before forwarding; the decision refuses a logout
 * that carries one, so `explain` and `serve` give the same 405.
 */
export const METHOD_OVERRIDE_HEADERS: ReadonlySet<string> = new Set([
  "x-http-method-override",
  "x-http-method",
  "x-method-override",
]);
