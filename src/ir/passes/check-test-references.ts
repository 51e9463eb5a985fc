/** A policy test's token grant and client certificate name a grant and a credential of this file. */
import { didYouMean } from "../../diagnostics/did-you-mean.ts";
import { unknownTestCredential, unknownTestGrant } from "../semantic-diagnostics.ts";
import type { Pass } from "./pass.ts";

export const checkTestReferences: Pass = {
  name: "check-test-references",
  run: ({ ir, ctx }) => {
    if (ir.tests.length === 0) return;
    const grants = new Set(ir.grants.map((g) => g.name));
    const credentials = new Set(ir.credentials.map((c) => c.name));
    ir.tests.forEach((test, i) => {
      const request = `/tests/${i}/request`;
      const token = test.request.token;
      if (token?.kind === "grant" && !grants.has(token.grant)) {
        ctx.report(
          unknownTestGrant(
            ctx.span(`${request}/token/grant`),
            token.grant,
            didYouMean(token.grant, grants),
          ),
        );
      }
      const cert = test.request.tls?.clientCert ?? null;
      if (cert !== null && !credentials.has(cert)) {
        ctx.report(
          unknownTestCredential(
            ctx.span(`${request}/tls/client_cert`),
            cert,
            didYouMean(cert, credentials),
          ),
        );
      }
    });
  },
};
