/**
 * What every document the DSL front end writes already satisfies, so that its schema gate
 * (`generated/validate-dsl-policy.js`) checks only the rest: the values the file spells
 * (lengths, patterns, enums, numeric limits, list sizes) and the members a block may leave
 * out (`required`). A property test holds the two gates to the same answer on DSL texts with
 * wrong values (`test/syntax/dsl-schema-gate.test.ts`).
 */
import type { MakerGuarantees } from "../schema-gate.ts";

export const DSL_DOCUMENT_GUARANTEES: MakerGuarantees = {
  // A statement's value is made by its kind (`setting-keys.ts`: a string or word is a string,
  // a flag a boolean, a list an array of strings) and blocks are objects. Numbers are not
  // here: `expect deny 1.5` is a number that is no integer.
  types: ["object", "array", "string", "boolean"],
  // Member names come from the keyword tables, the grammar's token categories (actions,
  // filter fields) and the writers' literals; maps (labels, headers) are checked as before.
  closedObjects: true,
  // A filter field takes any value form (`where publish = "x"`, `where id = true`): its type
  // is the file's choice, so filter fields are checked whole.
  notIn: ["FieldFilters"],
};
