/**
 * A policy test's URL is an absolute http(s) URL whose host is served by a tunnel of this
 * file (exactly, or through a `*.` wildcard for one more label); otherwise the test could only
 * ever test routing.
 */
import { didYouMean } from "../../diagnostics/did-you-mean.ts";
import { invalidTestUrl, testUnknownHost } from "../semantic-diagnostics.ts";
import type { Pass } from "./pass.ts";

/** The one wildcard pattern that can serve a host: `*.` and the host without its first label. */
function wildcardOf(host: string): string | null {
  const dot = host.indexOf(".");
  return dot <= 0 ? null : `*${host.slice(dot)}`;
}

function urlHost(url: string): string | null {
  if (!URL.canParse(url)) return null;
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  return parsed.hostname.toLowerCase();
}

export const checkTestUrls: Pass = {
  name: "check-test-urls",
  run: ({ ir, ctx }) => {
    if (ir.tests.length === 0) return;
    const hosts = ir.tunnels.flatMap((t) => t.hosts);
    const served = new Set(hosts);
    ir.tests.forEach((test, i) => {
      const pointer = `/tests/${i}/request/url`;
      const host = urlHost(test.request.url);
      if (host === null) {
        ctx.report(invalidTestUrl(ctx.span(pointer), test.request.url));
      } else if (!served.has(host) && !served.has(wildcardOf(host) ?? "")) {
        ctx.report(testUnknownHost(ctx.span(pointer), host, didYouMean(host, hosts)));
      }
    });
  },
};
