/**
 * Raw HTTP/2 over TLS (ALPN `h2`): one request whose HEADERS frame is written byte for byte, for
 * the header lists Node's client refuses to send (connection-specific fields, upper-case names,
 * a second `:path`, a `:path` without `/`). The block is HPACK literals without indexing or
 * Huffman coding; the answer is read back as its `:status`, or the stream reset or connection
 * error that refused it.
 */
import { connect } from "node:tls";

/** How the server answered the request (stream 1). */
export interface H2RawReply {
  /** The response's `:status`; null when none came. */
  readonly status: number | null;
  /** The RST_STREAM error code on stream 1, or the GOAWAY error code; null when neither. */
  readonly refusedWith: number | null;
}

/** RST_STREAM / GOAWAY error code PROTOCOL_ERROR (RFC 9113 §7). */
export const PROTOCOL_ERROR = 1;

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
const DATA = 0;
const HEADERS = 1;
const RST_STREAM = 3;
const SETTINGS = 4;
const GOAWAY = 7;
const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head.writeUInt8(type, 3);
  head.writeUInt8(flags, 4);
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** An HPACK integer with an `n`-bit prefix (RFC 7541 §5.1), the prefix's other bits `high`. */
function hpackInteger(value: number, n: number, high: number): number[] {
  const max = (1 << n) - 1;
  if (value < max) return [high | value];
  const out = [high | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

function hpackString(text: string): Buffer {
  const bytes = Buffer.from(text, "latin1");
  return Buffer.concat([Buffer.from(hpackInteger(bytes.length, 7, 0)), bytes]);
}

/** A header block of literal fields without indexing, names and values as given. */
export function hpackBlock(fields: readonly (readonly [string, string])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields)
    parts.push(Buffer.from([0x00]), hpackString(name), hpackString(value));
  return Buffer.concat(parts);
}

/** `:status` values of the HPACK static table (RFC 7541 Appendix A). */
const STATIC_STATUS: Readonly<Record<number, number>> = {
  8: 200,
  9: 204,
  10: 206,
  11: 304,
  12: 400,
  13: 404,
  14: 500,
};

/** Decodes Huffman-coded decimal digits (RFC 7541 Appendix B: 0–2 in 5 bits, 3–9 in 6). */
function huffmanDigits(bytes: Buffer): string {
  let bits = "";
  for (const b of bytes) bits += b.toString(2).padStart(8, "0");
  let out = "";
  let i = 0;
  while (i + 5 <= bits.length) {
    const five = Number.parseInt(bits.slice(i, i + 5), 2);
    if (five <= 2) {
      out += String(five);
      i += 5;
      continue;
    }
    if (i + 6 > bits.length) break;
    const six = Number.parseInt(bits.slice(i, i + 6), 2);
    if (six < 0x19 || six > 0x1f) break;
    out += String(six - 0x19 + 3);
    i += 6;
  }
  return out;
}

/** The `:status` of a response header block (nghttp2 writes it first). */
function statusOf(block: Buffer): number | null {
  let at = 0;
  // A dynamic table size update may come first.
  while (at < block.length && ((block[at] as number) & 0xe0) === 0x20) at++;
  const first = block[at];
  if (first === undefined) return null;
  if (first & 0x80) return STATIC_STATUS[first & 0x7f] ?? null;
  const nameIndex = (first & 0xc0) === 0x40 ? first & 0x3f : first & 0x0f;
  if (nameIndex < 8 || nameIndex > 14) return null;
  const lengthByte = block[at + 1] ?? 0;
  const value = block.subarray(at + 2, at + 2 + (lengthByte & 0x7f));
  const text = lengthByte & 0x80 ? huffmanDigits(value) : value.toString("latin1");
  return /^\d{3}$/.test(text) ? Number(text) : null;
}

/**
 * Sends one request on a fresh h2 connection: the header block `fields` (pseudo-headers
 * included, as given) in one HEADERS frame, then `body` in a DATA frame when given. Resolves
 * once stream 1 is answered or refused, the connection ends, or `timeoutMs` passes.
 */
export function h2RawRequest(
  port: number,
  servername: string,
  fields: readonly (readonly [string, string])[],
  body?: string,
  timeoutMs = 5_000,
): Promise<H2RawReply> {
  return new Promise((resolve) => {
    const socket = connect({
      host: "127.0.0.1",
      port,
      servername,
      ALPNProtocols: ["h2"],
      rejectUnauthorized: false,
    });
    let buffered = Buffer.alloc(0);
    let settled = false;
    const done = (reply: H2RawReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => done({ status: null, refusedWith: null }), timeoutMs);
    socket.on("secureConnect", () => {
      const flags = END_HEADERS | (body === undefined ? END_STREAM : 0);
      const out = [
        PREFACE,
        frame(SETTINGS, 0, 0, Buffer.alloc(0)),
        frame(HEADERS, flags, 1, hpackBlock(fields)),
      ];
      if (body !== undefined) out.push(frame(DATA, END_STREAM, 1, Buffer.from(body)));
      socket.write(Buffer.concat(out));
    });
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 9) {
        const length = buffered.readUIntBE(0, 3);
        if (buffered.length < 9 + length) break;
        const type = buffered.readUInt8(3);
        const flags = buffered.readUInt8(4);
        const stream = buffered.readUInt32BE(5) & 0x7fffffff;
        const payload = buffered.subarray(9, 9 + length);
        buffered = buffered.subarray(9 + length);
        if (type === SETTINGS && !(flags & ACK))
          socket.write(frame(SETTINGS, ACK, 0, Buffer.alloc(0)));
        else if (type === HEADERS && stream === 1) {
          const skip = (flags & PADDED ? 1 : 0) + (flags & PRIORITY ? 5 : 0);
          const pad = flags & PADDED ? (payload[0] ?? 0) : 0;
          done({
            status: statusOf(payload.subarray(skip, payload.length - pad)),
            refusedWith: null,
          });
        } else if (type === RST_STREAM && stream === 1)
          done({ status: null, refusedWith: payload.readUInt32BE(0) });
        else if (type === GOAWAY) done({ status: null, refusedWith: payload.readUInt32BE(4) });
      }
    });
    socket.on("close", () => done({ status: null, refusedWith: null }));
    socket.on("error", () => done({ status: null, refusedWith: null }));
  });
}
