/**
 * A private tunnel (`publish: false`) is reached only by authenticated rstream clients by id
 * or name, never through a public host (SPEC S-X1), so public-exposure options on it would
 * never apply (S-D5). Reporting them keeps a policy from promising protection it cannot give.
 */
import { privateTunnelExposure } from "../semantic-diagnostics.ts";
import { activeOptions } from "./check-protocol-options.ts";
import type { Pass } from "./pass.ts";

export const checkPrivateExposure: Pass = {
  name: "check-private-exposure",
  run: ({ ir, ctx }) => {
    ir.tunnels.forEach((tunnel, i) => {
      if (tunnel.publish) return;
      const options = activeOptions(tunnel);
      if (options.size === 0) return;
      const publishSpan = ctx.span(`/tunnels/${i}/publish`);
      for (const property of options) {
        ctx.report(
          privateTunnelExposure(
            ctx.span(`/tunnels/${i}/${property}`),
            property,
            tunnel.id,
            publishSpan,
          ),
        );
      }
    });
  },
};
