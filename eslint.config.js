// ESLint: type-aware rules, complexity limits and the one-way import boundaries of the
// pipeline (grammar → syntax → ir → bounds → compile → runtime; diagnostics is a leaf).
import tseslint from "typescript-eslint";

const stage = (from, forbidden, why) => ({
  files: [`${from}/**/*.ts`],
  rules: {
    "no-restricted-imports": [
      "error",
      { patterns: forbidden.map((group) => ({ group: [group], message: why })) },
    ],
  },
});

// Cedar's PANIC SAFETY habit: a cast to `string`/`number` or a non-null `!` tells the type
// checker something it cannot see, so it must say why it holds, in a `// SAFETY:` comment on
// the lines just above the statement (or at the end of the line). The best fix is still to
// need no cast at all.
const REASON = /^\s*SAFETY: \S/;
const STATEMENT = /(Statement|Declaration|Property|PropertyDefinition)$/;
export const safety = {
  rules: {
    "unchecked-assertion-needs-reason": {
      meta: {
        type: "problem",
        schema: [],
        messages: {
          missing:
            "{{what}} needs a `// SAFETY: <why it holds>` comment above its statement, or rewrite it so the type checker sees why",
        },
      },
      create(context) {
        const source = context.sourceCode;
        const reasonLines = new Set(
          source
            .getAllComments()
            .filter((c) => REASON.test(c.value))
            .map((c) => c.loc.end.line),
        );
        const check = (node, what) => {
          const statement =
            source.getAncestors(node).findLast((a) => STATEMENT.test(a.type)) ?? node;
          const from = statement.loc.start.line - 1;
          for (let line = from; line <= node.loc.end.line; line++) {
            if (reasonLines.has(line)) return;
          }
          context.report({ node, messageId: "missing", data: { what } });
        };
        return {
          TSNonNullExpression: (node) => check(node, "a non-null assertion `!`"),
          "TSAsExpression[typeAnnotation.type='TSStringKeyword']": (node) =>
            check(node, "a cast `as string`"),
          "TSAsExpression[typeAnnotation.type='TSNumberKeyword']": (node) =>
            check(node, "a cast `as number`"),
        };
      },
    },
  },
};

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "grammar/cst.d.ts",
      "src/syntax/generated/validate-policy.js",
      "src/syntax/generated/validate-dsl-policy.js",
      ".tmp/**",
      "fixtures/**",
      "dist/**",
      // A separate project: the packed package's consumer (test/package/consumer.test.ts).
      "test/package/consumer/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      complexity: ["error", 20],
      "no-new-func": "error",
      "no-eval": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/ban-ts-comment": [
        "error",
        { "ts-expect-error": "allow-with-description" },
      ],
    },
  },
  {
    // One copy of Chevrotain (see grammar/chevrotain.ts): its types may come from anywhere.
    files: ["**/*.ts"],
    ignores: ["grammar/chevrotain.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "chevrotain",
              allowTypeImports: true,
              message:
                "import Chevrotain's values from grammar/chevrotain.ts (one copy, loaded fast)",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    plugins: { safety },
    rules: { "safety/unchecked-assertion-needs-reason": "error" },
  },
  stage(
    "src/diagnostics",
    [
      "**/syntax/**",
      "**/ir/**",
      "**/bounds/**",
      "**/compile/**",
      "**/runtime/**",
      "**/cli/**",
      "**/grammar/**",
    ],
    "diagnostics is a leaf",
  ),
  stage("grammar", ["**/src/**"], "grammar holds the language only; it imports no stage"),
  stage(
    "src/ir",
    ["**/bounds/**", "**/compile/**", "**/runtime/**", "**/cli/**", "**/interpret/**"],
    "ir must not import later stages",
  ),
  stage(
    "src/bounds",
    ["**/compile/**", "**/runtime/**", "**/cli/**", "**/syntax/**", "**/grammar/**"],
    "bounds works on IR only",
  ),
  stage(
    "src/interpret",
    ["**/compile/**", "**/runtime/**", "**/cli/**", "**/syntax/**", "**/grammar/**"],
    "the interpreter works on IR only",
  ),
  stage(
    "src/compile",
    ["**/runtime/**", "**/cli/**", "**/syntax/**", "**/grammar/**", "chevrotain"],
    "the compiler takes IR, not source",
  ),
  stage(
    "src/runtime",
    ["**/cli/**", "**/syntax/**", "**/grammar/**", "chevrotain", "**/interpret/**"],
    "a runtime loads compiled bundles and never the parser",
  ),
);
