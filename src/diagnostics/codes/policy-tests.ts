import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/** Findings of `rampart test` and `rampart explain` (the 8900s of the lint range). */
export const policyTestCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {
  RP8901: {
    slug: "test/expectation-failed",
    summary: "a policy test's expected decision differs from the actual decision",
  },
  RP8902: {
    slug: "test/request-invalid",
    summary: "a request given to `rampart explain` does not have the shape of a test request",
  },
  RP8950: {
    slug: "test/token-invalid",
    summary:
      "a token given to `rampart explain --action` or `rampart token inspect` is not a JWT or a claim set Rampart accepts",
  },
  RP8951: {
    slug: "test/tunnel-invalid",
    summary:
      "tunnel properties given to `rampart explain --action create` do not have the shape of a tunnel",
  },
};
