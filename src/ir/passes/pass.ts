/** The shape of a semantic check: one job, run over the lowered IR with the document beside it. */
import type { PolicyDocumentDoc } from "../../syntax/model.ts";
import type { LowerContext } from "../lower-context.ts";
import type { PolicyIr } from "../types.ts";
import type { TunnelIndex } from "./tunnel-index.ts";

export interface PassInput {
  /** The lowered policy; its tunnels, grants, credentials and tests keep the document's order. */
  readonly ir: PolicyIr;
  readonly document: PolicyDocumentDoc;
  readonly ctx: LowerContext;
  /** `ir`'s tunnels by id and by name, shared by the passes that look tunnels up. */
  readonly tunnels: TunnelIndex;
}

export interface Pass {
  readonly name: string;
  readonly run: (input: PassInput) => void;
}
