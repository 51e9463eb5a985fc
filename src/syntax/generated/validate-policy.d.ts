// The types of the generated `validate-policy.js` (see src/syntax/schema.ts).
import type { ValidateFunction } from "ajv/dist/2020.js";

/** Validates a whole policy document against the schema generated from the zod model. */
export declare const validatePolicy: ValidateFunction;
