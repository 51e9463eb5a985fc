/**
 * What the HTTP parser refused (S-R18): answered with the S-D2 body and the connection closed,
 * the same over HTTP and TLS. Such a request is never decided nor forwarded; Node's parser runs
 * strict (never `insecureHTTPParser`), so a malformed head always lands here.
 */
import type { Duplex } from "node:stream";
import { errorJson, rawResponse } from "./respond.ts";

const ANSWERS: Readonly<Record<string, readonly [number, string]>> = {
  HPE_HEADER_OVERFLOW: [431, "header_too_large"],
  HPE_URI_TOO_LONG: [414, "uri_too_long"],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "request_timeout"],
};

/** A `clientError` listener writing the response `respond` makes of the refusal's status and reason. */
export function clientErrorListener(
  respond: (status: number, reason: string) => string,
): (error: Error & { code?: string }, socket: Duplex) => void {
  return (error, socket) => {
    // A reset connection, or one already answering, cannot take a response: just close it.
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason] = ANSWERS[error.code ?? ""] ?? [400, "bad_request"];
    socket.end(respond(status, reason));
  };
}

/** The `clientError` listener of every request-serving listener but forward-auth's. */
export const answerClientError = clientErrorListener((status, reason) =>
  rawResponse(status, errorJson(reason, null)),
);
