/**
 * A minimal TLS ClientHello reader: the runtime peeks at the first flight before OpenSSL sees
 * it, so that the whole handshake (minimum version, key-exchange groups, client certificates)
 * runs under the chosen tunnel's settings. OpenSSL's own SNI callback switches certificates
 * only after the version and groups are already fixed, which is why this exists.
 */

/** What the runtime needs from a ClientHello. */
export interface ClientHelloInfo {
  /** Lower-case server name, or null when the client sent no SNI. */
  readonly serverName: string | null;
  /** Named groups (IANA code points) the client sent key shares for, in its order. */
  readonly keyShareGroups: readonly number[];
  /** Named groups the client supports, in its order. */
  readonly supportedGroups: readonly number[];
  /** True when the client offered an Encrypted Client Hello extension. */
  readonly ech: boolean;
}

/** The result of reading buffered bytes: need more, not TLS, or parsed. */
export type ClientHelloRead =
  | { readonly kind: "incomplete" }
  | { readonly kind: "invalid"; readonly reason: string }
  | { readonly kind: "hello"; readonly hello: ClientHelloInfo };

const RECORD_HANDSHAKE = 22;
const HANDSHAKE_CLIENT_HELLO = 1;
const EXT_SERVER_NAME = 0;
const EXT_SUPPORTED_GROUPS = 10;
const EXT_KEY_SHARE = 51;
const EXT_ECH = 0xfe0d;
/** A ClientHello larger than this is refused (PQ key shares make ~1.5 KB normal). */
export const MAX_CLIENT_HELLO_BYTES = 16 * 1024;

/** Reads the ClientHello from the bytes received so far (possibly several records). */
export function readClientHello(data: Buffer): ClientHelloRead {
  const body = joinHandshakeRecords(data);
  if (body.kind !== "ok") return body;
  const msg = body.bytes;
  if (msg.length < 4) return { kind: "incomplete" };
  if (msg[0] !== HANDSHAKE_CLIENT_HELLO) return { kind: "invalid", reason: "not a ClientHello" };
  const length = msg.readUIntBE(1, 3);
  if (length > MAX_CLIENT_HELLO_BYTES) return { kind: "invalid", reason: "ClientHello too large" };
  if (msg.length < 4 + length) return { kind: "incomplete" };
  try {
    return { kind: "hello", hello: parseHelloBody(msg.subarray(4, 4 + length)) };
  } catch {
    return { kind: "invalid", reason: "malformed ClientHello" };
  }
}

/** Concatenates the payloads of the leading handshake records. */
function joinHandshakeRecords(
  data: Buffer,
): { kind: "ok"; bytes: Buffer } | { kind: "incomplete" } | { kind: "invalid"; reason: string } {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 5 <= data.length) {
    if (data[offset] !== RECORD_HANDSHAKE) {
      return offset === 0 ? { kind: "invalid", reason: "not a TLS handshake" } : done(parts);
    }
    const length = data.readUInt16BE(offset + 3);
    if (offset + 5 + length > data.length) break;
    parts.push(data.subarray(offset + 5, offset + 5 + length));
    offset += 5 + length;
  }
  if (offset === 0 && data.length >= 1 && data[0] !== RECORD_HANDSHAKE) {
    return { kind: "invalid", reason: "not a TLS handshake" };
  }
  if (data.length > MAX_CLIENT_HELLO_BYTES + 5 * 4) {
    return { kind: "invalid", reason: "ClientHello too large" };
  }
  return done(parts);
}

const done = (parts: Buffer[]): { kind: "ok"; bytes: Buffer } => ({
  kind: "ok",
  bytes: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts),
});

/** A bounds-checked cursor; any overrun throws and the caller reports "malformed". */
class Cursor {
  offset = 0;
  readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  u8(): number {
    return this.take(1).readUInt8(0);
  }
  u16(): number {
    return this.take(2).readUInt16BE(0);
  }
  take(n: number): Buffer {
    if (this.offset + n > this.buf.length) throw new RangeError("overrun");
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  get remaining(): number {
    return this.buf.length - this.offset;
  }
}

function parseHelloBody(body: Buffer): ClientHelloInfo {
  const c = new Cursor(body);
  c.take(2 + 32); // legacy_version, random
  c.take(c.u8()); // session id
  c.take(c.u16()); // cipher suites
  c.take(c.u8()); // compression methods
  let serverName: string | null = null;
  let keyShareGroups: number[] = [];
  let supportedGroups: number[] = [];
  let ech = false;
  if (c.remaining === 0) return { serverName, keyShareGroups, supportedGroups, ech };
  const extensions = new Cursor(c.take(c.u16()));
  while (extensions.remaining > 0) {
    const type = extensions.u16();
    const data = extensions.take(extensions.u16());
    if (type === EXT_SERVER_NAME) serverName = parseServerName(data);
    else if (type === EXT_SUPPORTED_GROUPS) supportedGroups = parseGroupList(data);
    else if (type === EXT_KEY_SHARE) keyShareGroups = parseKeyShares(data);
    else if (type === EXT_ECH) ech = true;
  }
  return { serverName, keyShareGroups, supportedGroups, ech };
}

function parseServerName(data: Buffer): string | null {
  const list = new Cursor(data);
  const names = new Cursor(list.take(list.u16()));
  while (names.remaining > 0) {
    const kind = names.u8();
    const name = names.take(names.u16());
    if (kind === 0) return name.toString("latin1").toLowerCase();
  }
  return null;
}

function parseGroupList(data: Buffer): number[] {
  const c = new Cursor(data);
  const list = new Cursor(c.take(c.u16()));
  const groups: number[] = [];
  while (list.remaining >= 2) groups.push(list.u16());
  return groups;
}

function parseKeyShares(data: Buffer): number[] {
  const c = new Cursor(data);
  const list = new Cursor(c.take(c.u16()));
  const groups: number[] = [];
  while (list.remaining > 0) {
    groups.push(list.u16());
    list.take(list.u16());
  }
  return groups;
}
