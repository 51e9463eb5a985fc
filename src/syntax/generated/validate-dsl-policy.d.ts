// The types of the generated `validate-dsl-policy.js` (see src/syntax/schema-gate.ts).

/**
 * Whether a policy document that the DSL front end wrote is valid against the schema generated
 * from the zod model (what the DSL's writer guarantees is not checked again).
 */
export declare function validateDslPolicy(document: unknown): boolean;
