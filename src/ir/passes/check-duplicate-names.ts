/** Grants, credentials and policy tests are referred to by name, so names are unique. */
import type { Pass } from "./pass.ts";
import { reportDuplicates } from "./report-duplicates.ts";

export const checkDuplicateNames: Pass = {
  name: "check-duplicate-names",
  run: ({ ir, ctx }) => {
    reportDuplicates(
      { values: ir.grants.map((g) => g.name), pointer: (i) => `/grants/${i}/name` },
      "RP3104",
      "grant name",
      ctx,
    );
    reportDuplicates(
      { values: ir.credentials.map((c) => c.name), pointer: (i) => `/credentials/${i}/name` },
      "RP3105",
      "credential name",
      ctx,
    );
    reportDuplicates(
      { values: ir.tests.map((t) => t.name), pointer: (i) => `/tests/${i}/name` },
      "RP3106",
      "test name",
      ctx,
    );
  },
};
