/**
 * The result of a decision, identical whether the reference interpreter or the compiled code
 * produced it: the differential tests compare these objects field by field.
 */
import type { Span } from "../diagnostics/span.ts";
import type { OutcomeKind, PolicyKind, Reason } from "./types.ts";

/** The pipeline stage that decided (SPEC S-O1 order). */
export type Stage =
  "route" | "edge" | "well-known" | "challenge" | "token" | "mtls" | "session" | "forward";

/** Who the request was authenticated as, when it was. */
export interface AuthIdentity {
  readonly method: "token" | "rstream-auth" | "mtls";
  readonly subject: string | null;
}

export interface Decision {
  readonly outcome: OutcomeKind;
  /** HTTP status the engine answers with; 0 for `forward` (the upstream answers). */
  readonly status: number;
  readonly reason: Reason;
  readonly policy: PolicyKind | null;
  readonly stage: Stage;
  /** Stable id of the rule that decided, e.g. `project.trusted_ips`, `tunnel:api.token_auth`. */
  readonly rule: string;
  /** Where that rule is written. */
  readonly origin: Span | null;
  /** One sentence a person can read. */
  readonly message: string;
  readonly identity: AuthIdentity | null;
  /** The engine endpoint to serve, for `respond`. */
  readonly endpoint: "session" | "logout" | null;
}

export interface HandshakeDecision {
  readonly allow: boolean;
  readonly policy: PolicyKind | null;
  readonly rule: string;
  readonly origin: Span | null;
  readonly message: string;
}
