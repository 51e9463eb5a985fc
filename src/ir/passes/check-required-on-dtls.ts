/**
 * Post-quantum or ECH `required` (SPEC S-A6, S-A7) needs TLS 1.3; a published DTLS tunnel is
 * DTLS 1.2 and can never satisfy it, whether the tunnel asks for it or the project imposes it.
 */
import type { Span } from "../../diagnostics/span.ts";
import { isTls12Only } from "../protocol.ts";
import { requiredOnDtls } from "../semantic-diagnostics.ts";
import type { FeatureMode } from "../types.ts";
import type { Pass } from "./pass.ts";

interface Setting {
  readonly name: "post-quantum" | "ECH";
  readonly property: "post_quantum" | "ech";
}

const SETTINGS: readonly Setting[] = [
  { name: "post-quantum", property: "post_quantum" },
  { name: "ECH", property: "ech" },
];

export const checkRequiredOnDtls: Pass = {
  name: "check-required-on-dtls",
  run: ({ ir, ctx }) => {
    const mode = (
      props: { postQuantum: { mode: FeatureMode } | null; ech: FeatureMode | null },
      s: Setting,
    ) => (s.property === "ech" ? props.ech : (props.postQuantum?.mode ?? null));
    ir.tunnels.forEach((tunnel, i) => {
      if (!tunnel.publish || !isTls12Only(tunnel.protocol)) return;
      for (const setting of SETTINGS) {
        const own: Span | undefined = ctx.span(`/tunnels/${i}/${setting.property}`);
        if (mode(tunnel, setting) === "required") {
          ctx.report(requiredOnDtls(own, setting.name, tunnel.id, undefined));
        } else if (mode(ir.project, setting) === "required") {
          const projectSpan = ctx.span(`/project/${setting.property}`);
          ctx.report(
            requiredOnDtls(
              ctx.span(`/tunnels/${i}/protocol`),
              setting.name,
              tunnel.id,
              projectSpan,
            ),
          );
        }
      }
    });
  },
};
