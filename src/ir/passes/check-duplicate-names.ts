/** Grants, credentials and policy tests are referred to by name, so names are unique. */
import type { Pass } from "./pass.ts";
import { reportDuplicates } from "./report-duplicates.ts";

export const checkDuplicateNames: Pass = {
  name: "check-duplicate-names",
  run: ({ ir, ctx }) => {
    reportDuplicates(
      ir.grants.map((g, i) => ({ value: g.name, pointer: `/grants/${i}/name` })),
      "RP3104",
      "grant name",
      ctx,
    );
    reportDuplicates(
      ir.credentials.map((c, i) => ({ value: c.name, pointer: `/credentials/${i}/name` })),
      "RP3105",
      "credential name",
      ctx,
    );
    reportDuplicates(
      ir.tests.map((t, i) => ({ value: t.name, pointer: `/tests/${i}/name` })),
      "RP3106",
      "test name",
      ctx,
    );
  },
};
