/**
 * How a request declares its body, read from its raw header list: `Content-Length` (the
 * first one; Node's parser refuses conflicting ones), else whether `Transfer-Encoding` is
 * present. HOT PATH: reading `req.headers` instead would make Node build the whole header
 * object for two fields the pipeline otherwise never reads from it.
 */

/** The declared length, `chunked` for a transfer-coded body, or null for no body field. */
export function declaredBody(raw: readonly string[]): number | "chunked" | null {
  let chunked = false;
  for (let i = 0; i < raw.length; i += 2) {
    // SAFETY: the list holds name/value pairs and the loop stays below its length
    const name = raw[i] as string;
    if (name.length === 14 && name.toLowerCase() === "content-length")
      // SAFETY: as above, every name has its value at i + 1
      return Number(raw[i + 1] as string);
    if (name.length === 17 && name.toLowerCase() === "transfer-encoding") chunked = true;
  }
  return chunked ? "chunked" : null;
}
