/**
 * Options a published tunnel's protocol cannot honour (SPEC S-D5, S-A6, S-A7):
 * TLS options on passthrough (the engine does not terminate TLS), HTTP-only options on a
 * non-HTTP tunnel, and host names or mTLS on TCP. Unpublished tunnels are left to
 * `check-private-exposure`, which reports the same options once, for a clearer reason.
 */
import { isHttpFamily } from "../protocol.ts";
import { httpOnlyOption, passthroughTlsOption, tcpOption } from "../semantic-diagnostics.ts";
import type { TunnelIr } from "../types.ts";
import type { Pass } from "./pass.ts";

/** The tunnel properties that are set to something other than "off", by document name. */
export function activeOptions(tunnel: TunnelIr): Set<string> {
  const on = new Set<string>();
  const add = (property: string, active: boolean): void => {
    if (active) on.add(property);
  };
  add("hostname", tunnel.hosts.length > 0);
  add("token_auth", tunnel.tokenAuth === true);
  add("rstream_auth", tunnel.rstreamAuth === true);
  add("rstream_auth_allow", tunnel.sessionAllow !== null);
  add("challenge_mode", tunnel.challenge === true);
  add("forward_authorization", tunnel.forwardAuthorization === true);
  add("mtls_auth", tunnel.mtls !== null);
  add("trusted_ips", tunnel.trustedIps !== null && tunnel.trustedIps.ranges.length > 0);
  add("geo_ip", tunnel.countries !== null && tunnel.countries.codes.length > 0);
  add("tls_min_version", tunnel.tlsMin !== null);
  add("post_quantum", tunnel.postQuantum !== null && tunnel.postQuantum.mode !== "off");
  add("ech", tunnel.ech !== null && tunnel.ech !== "off");
  return on;
}

const PASSTHROUGH_TLS = ["tls_min_version", "mtls_auth", "post_quantum", "ech"];
const HTTP_ONLY = [
  "token_auth",
  "rstream_auth",
  "rstream_auth_allow",
  "challenge_mode",
  "forward_authorization",
];
const NOT_ON_TCP = ["hostname", "mtls_auth"];

export const checkProtocolOptions: Pass = {
  name: "check-protocol-options",
  run: ({ ir, ctx }) => {
    ir.tunnels.forEach((tunnel, i) => {
      if (!tunnel.publish) return;
      const passthrough = tunnel.protocol === "tls-passthrough";
      const http = isHttpFamily(tunnel.protocol);
      // Most tunnels are HTTP, which every option suits: nothing to collect.
      if (!passthrough && http && tunnel.protocol !== "tcp") return;
      const on = activeOptions(tunnel);
      const span = (property: string) => ctx.span(`/tunnels/${i}/${property}`);
      if (passthrough) {
        for (const p of PASSTHROUGH_TLS.filter((p) => on.has(p)))
          ctx.report(passthroughTlsOption(span(p), p, tunnel.id));
      }
      if (!http) {
        for (const p of HTTP_ONLY.filter((p) => on.has(p))) {
          ctx.report(httpOnlyOption(span(p), p, tunnel.id, tunnel.protocol));
        }
      }
      if (tunnel.protocol === "tcp") {
        for (const p of NOT_ON_TCP.filter((p) => on.has(p)))
          ctx.report(tcpOption(span(p), p, tunnel.id));
      }
    });
  },
};
