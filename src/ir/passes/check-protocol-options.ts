/**
 * Options a published tunnel's protocol cannot honour (SPEC S-D5, S-A6, S-A7):
 * TLS options on passthrough (the engine does not terminate TLS), HTTP-only options on a
 * non-HTTP tunnel, and host names or mTLS on TCP. Unpublished tunnels are left to
 * `check-private-exposure`, which reports the same options once, for a clearer reason.
 */
import type { Span } from "../../diagnostics/span.ts";
import type { LowerContext } from "../lower-context.ts";
import { isHttpFamily } from "../protocol.ts";
import { httpOnlyOption, passthroughTlsOption, tcpOption } from "../semantic-diagnostics.ts";
import type { TunnelIr } from "../types.ts";
import type { Pass } from "./pass.ts";

/** The tunnel properties a protocol or a private tunnel may not honour, in the order reported. */
export const TUNNEL_OPTIONS = [
  "hostname",
  "token_auth",
  "rstream_auth",
  "rstream_auth_allow",
  "challenge_mode",
  "forward_authorization",
  "mtls_auth",
  "trusted_ips",
  "geo_ip",
  "tls_min_version",
  "post_quantum",
  "ech",
] as const;

/** A tunnel property that `isOptionActive` can answer for, by document name. */
export type TunnelOption = (typeof TUNNEL_OPTIONS)[number];

/**
 * Whether `tunnel` sets `option` to something other than "off". Asked option by option: the
 * checks run for every private or non-HTTP tunnel of a policy, nearly all of which set none,
 * and a set of the active ones (with the closure that filled it) was garbage for each.
 */
export function isOptionActive(tunnel: TunnelIr, option: TunnelOption): boolean {
  switch (option) {
    case "hostname":
      return tunnel.hosts.length > 0;
    case "token_auth":
      return tunnel.tokenAuth === true;
    case "rstream_auth":
      return tunnel.rstreamAuth === true;
    case "rstream_auth_allow":
      return tunnel.sessionAllow !== null;
    case "challenge_mode":
      return tunnel.challenge === true;
    case "forward_authorization":
      return tunnel.forwardAuthorization === true;
    case "mtls_auth":
      return tunnel.mtls !== null;
    case "trusted_ips":
      return tunnel.trustedIps !== null && tunnel.trustedIps.ranges.length > 0;
    case "geo_ip":
      return tunnel.countries !== null && tunnel.countries.codes.length > 0;
    case "tls_min_version":
      return tunnel.tlsMin !== null;
    case "post_quantum":
      return tunnel.postQuantum !== null && tunnel.postQuantum.mode !== "off";
    case "ech":
      return tunnel.ech !== null && tunnel.ech !== "off";
  }
}

const PASSTHROUGH_TLS = [
  "tls_min_version",
  "mtls_auth",
  "post_quantum",
  "ech",
] as const satisfies readonly TunnelOption[];
const HTTP_ONLY = [
  "token_auth",
  "rstream_auth",
  "rstream_auth_allow",
  "challenge_mode",
  "forward_authorization",
] as const satisfies readonly TunnelOption[];
const NOT_ON_TCP = ["hostname", "mtls_auth"] as const satisfies readonly TunnelOption[];

/** Where property `option` of tunnel `i` is written (looked up only to report). */
export function optionSpan(ctx: LowerContext, i: number, option: TunnelOption): Span | undefined {
  return ctx.span(`/tunnels/${i}/${option}`);
}

export const checkProtocolOptions: Pass = {
  name: "check-protocol-options",
  run: ({ ir, ctx }) => {
    // Indexed: this runs once, mostly before it is optimized, where `forEach` calls a closure.
    const tunnels = ir.tunnels;
    for (let i = 0; i < tunnels.length; i++) {
      // SAFETY: i < tunnels.length, the loop's bound.
      const tunnel = tunnels[i] as TunnelIr;
      if (!tunnel.publish) continue;
      const protocol = tunnel.protocol;
      const passthrough = protocol === "tls-passthrough";
      const http = isHttpFamily(protocol);
      // Most tunnels are HTTP, which every option suits: nothing to check.
      if (!passthrough && http && protocol !== "tcp") continue;
      // Indexed loops without closures: one would be made per non-HTTP tunnel.
      if (passthrough) {
        for (let o = 0; o < PASSTHROUGH_TLS.length; o++) {
          const p = PASSTHROUGH_TLS[o] as TunnelOption;
          if (isOptionActive(tunnel, p))
            ctx.report(passthroughTlsOption(optionSpan(ctx, i, p), p, tunnel.id));
        }
      }
      if (!http) {
        for (let o = 0; o < HTTP_ONLY.length; o++) {
          const p = HTTP_ONLY[o] as TunnelOption;
          if (isOptionActive(tunnel, p))
            ctx.report(httpOnlyOption(optionSpan(ctx, i, p), p, tunnel.id, protocol));
        }
      }
      if (protocol === "tcp") {
        for (let o = 0; o < NOT_ON_TCP.length; o++) {
          const p = NOT_ON_TCP[o] as TunnelOption;
          if (isOptionActive(tunnel, p)) ctx.report(tcpOption(optionSpan(ctx, i, p), p, tunnel.id));
        }
      }
    }
  },
};
