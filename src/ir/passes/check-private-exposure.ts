/**
 * A private tunnel (`publish: false`) is reached only by authenticated rstream clients by id
 * or name, never through a public host (SPEC S-X1), so public-exposure options on it would
 * never apply (S-D5). Reporting them keeps a policy from promising protection it cannot give.
 */
import { privateTunnelExposure } from "../semantic-diagnostics.ts";
import type { TunnelIr } from "../types.ts";
import { isOptionActive, optionSpan, TUNNEL_OPTIONS } from "./check-protocol-options.ts";
import type { Pass } from "./pass.ts";

export const checkPrivateExposure: Pass = {
  name: "check-private-exposure",
  run: ({ ir, ctx }) => {
    // Indexed, and each option read in place: this runs once per policy, mostly before it is
    // optimized, and nearly no private tunnel sets an option (no list is made for one).
    const tunnels = ir.tunnels;
    for (let i = 0; i < tunnels.length; i++) {
      // SAFETY: i < tunnels.length, the loop's bound.
      const tunnel = tunnels[i] as TunnelIr;
      if (tunnel.publish) continue;
      for (let o = 0; o < TUNNEL_OPTIONS.length; o++) {
        // SAFETY: o < TUNNEL_OPTIONS.length, the loop's bound.
        const property = TUNNEL_OPTIONS[o] as (typeof TUNNEL_OPTIONS)[number];
        if (!isOptionActive(tunnel, property)) continue;
        ctx.report(
          privateTunnelExposure(
            optionSpan(ctx, i, property),
            property,
            tunnel.id,
            ctx.span(`/tunnels/${i}/publish`),
          ),
        );
      }
    }
  },
};
