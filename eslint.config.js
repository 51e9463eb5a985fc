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

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "grammar/cst.d.ts",
      "src/syntax/generated/validate-policy.js",
      ".tmp/**",
      "fixtures/**",
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
