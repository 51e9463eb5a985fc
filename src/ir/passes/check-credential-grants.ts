/** A client-certificate credential maps to a grant of this file (SPEC S-H6). */
import { didYouMean } from "../../diagnostics/did-you-mean.ts";
import { unknownCredentialGrant } from "../semantic-diagnostics.ts";
import type { Pass } from "./pass.ts";

export const checkCredentialGrants: Pass = {
  name: "check-credential-grants",
  run: ({ ir, ctx }) => {
    if (ir.credentials.length === 0) return;
    const grants = new Set(ir.grants.map((g) => g.name));
    ir.credentials.forEach((credential, i) => {
      if (grants.has(credential.grant)) return;
      ctx.report(
        unknownCredentialGrant(
          ctx.span(`/credentials/${i}/grant`),
          credential.grant,
          didYouMean(credential.grant, grants),
        ),
      );
    });
  },
};
