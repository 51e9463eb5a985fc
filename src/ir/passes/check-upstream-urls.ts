/**
 * An HTTP tunnel's upstream is an absolute http:// or https:// URL with a host: `serve`
 * forwards nothing to anything else (every allowed request would answer 502), so a typo such
 * as `htp:/10.0.0.1` is caught here rather than at the first request.
 */
import { invalidUpstream } from "../semantic-diagnostics.ts";
import type { Pass } from "./pass.ts";
import { isPlainHttpUrl } from "./plain-http-url.ts";
import { spanOf } from "../lazy-spans.ts";

/** Why `url` cannot be an HTTP upstream, or null when it can. */
export function httpUpstreamProblem(url: string): string | null {
  // HOT PATH: nearly every upstream is written plainly, and then no URL object is made.
  return isPlainHttpUrl(url) ? null : parsedUpstreamProblem(url);
}

/** `httpUpstreamProblem` by parsing the URL: the full check, for any text. */
export function parsedUpstreamProblem(url: string): string | null {
  // One parse: `URL.parse` answers both whether the text is a URL and what it holds.
  const parsed = URL.parse(url);
  if (parsed === null) return "it is not an absolute URL";
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return `its scheme \`${parsed.protocol.slice(0, -1)}\` is not http or https`;
  if (parsed.hostname === "") return "it has no host";
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return "the scheme must be followed by `//`";
  if (parsed.search !== "" || parsed.hash !== "") return "it has a query or fragment";
  if (parsed.username !== "" || parsed.password !== "") return "it carries credentials";
  return null;
}

export const checkUpstreamUrls: Pass = {
  name: "check-upstream-urls",
  run: ({ ir, ctx }) => {
    // Indexed: this runs once, mostly before it is optimized, where `for … of` allocates.
    const tunnels = ir.tunnels;
    for (let i = 0; i < tunnels.length; i++) {
      // SAFETY: i < tunnels.length, the loop's bound.
      const tunnel = tunnels[i] as (typeof tunnels)[number];
      if (tunnel.upstream === null || tunnel.protocol !== "http") continue;
      const problem = httpUpstreamProblem(tunnel.upstream);
      if (problem !== null)
        ctx.report(
          invalidUpstream(spanOf(tunnel.spans, "upstream"), tunnel.upstream, tunnel.id, problem),
        );
    }
  },
};
