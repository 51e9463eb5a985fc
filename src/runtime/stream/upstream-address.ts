/** The upstream of a stream tunnel: `tcp://host:port`, nothing else (no path, no credentials). */

/** Where a stream tunnel's bytes go. */
export interface StreamUpstream {
  readonly host: string;
  readonly port: number;
}

/** Parses `tcp://host:port`; null for anything else (the caller refuses the tunnel). */
export function parseStreamUpstream(url: string | null): StreamUpstream | null {
  if (url === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "tcp:" || parsed.hostname === "" || parsed.port === "") return null;
  if (parsed.username !== "" || parsed.password !== "") return null;
  if (
    (parsed.pathname !== "" && parsed.pathname !== "/") ||
    parsed.search !== "" ||
    parsed.hash !== ""
  )
    return null;
  const host = parsed.hostname.startsWith("[") ? parsed.hostname.slice(1, -1) : parsed.hostname;
  return { host, port: Number(parsed.port) };
}
