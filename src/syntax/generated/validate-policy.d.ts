// The types of the generated `validate-policy.js` (see src/syntax/schema-gate.ts).

/** Whether a whole policy document is valid against the schema generated from the zod model. */
export declare function validatePolicy(document: unknown): boolean;
