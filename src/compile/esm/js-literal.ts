/**
 * The one way policy values enter generated JavaScript (STYLE's rule for generated code, after
 * ajv's `safeStringify`): as a JSON string literal, never as source text. `JSON.stringify`
 * escapes quotes, backslashes and control characters; on top of that `<` (so `</script>` and
 * `<!--` never appear when a module is inlined in HTML) and the line separators U+2028 and
 * U+2029 (line terminators to older parsers and to source maps' line counting) are escaped.
 */
const UNSAFE = /[<\u2028\u2029]/g;

function escapeUnsafe(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** `text` as a JavaScript string literal that evaluates to exactly `text`. */
export function jsStringLiteral(text: string): string {
  return JSON.stringify(text).replace(UNSAFE, escapeUnsafe);
}
