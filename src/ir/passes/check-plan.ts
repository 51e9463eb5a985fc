/**
 * Plan gating (SPEC S-A2, S-A3, S-A4): trusted IPs, GeoIP and the `forbidden` public-access
 * policy need the pro or enterprise plan. Challenge mode is not gated here: the sources say
 * only "when the plan allows it" and name no plan, so Rampart allows it on every plan.
 */
import type { Span } from "../../diagnostics/span.ts";
import { planFeature } from "../semantic-diagnostics.ts";
import type { EdgePropertiesIr } from "../types.ts";
import type { Pass } from "./pass.ts";

function gatedLists(
  props: EdgePropertiesIr,
  span: (property: string) => Span | undefined,
): { span: Span | undefined; feature: string; property: string }[] {
  const out = [];
  if (props.trustedIps !== null && props.trustedIps.ranges.length > 0) {
    out.push({ span: span("trusted_ips"), feature: "trusted IPs", property: "trusted_ips" });
  }
  if (props.countries !== null && props.countries.codes.length > 0) {
    out.push({ span: span("geo_ip"), feature: "GeoIP restrictions", property: "geo_ip" });
  }
  return out;
}

export const checkPlan: Pass = {
  name: "check-plan",
  run: ({ ir, ctx }) => {
    const project = ir.project;
    if (project.plan !== "basic") return;
    const planSpan = ctx.span("/project/plan");
    const found = gatedLists(project, (p) => ctx.span(`/project/${p}`));
    if (project.publicAccess === "forbidden") {
      found.push({
        span: ctx.span("/project/public_access"),
        feature: "public access `forbidden`",
        property: "public_access",
      });
    }
    ir.tunnels.forEach((tunnel, i) =>
      found.push(...gatedLists(tunnel, (p) => ctx.span(`/tunnels/${i}/${p}`))),
    );
    for (const f of found) ctx.report(planFeature(f.span, f.feature, f.property, planSpan));
  },
};
