// The parser of `regexp-tree` on its own (see `regex-parser.ts`): the package declares types
// for its entry point only. The AST is read loosely by its users (`RegexAstNode`).
declare module "regexp-tree/dist/parser/index.js" {
  const parser: { parse(regexp: string | RegExp): { readonly body: unknown } };
  export default parser;
}
