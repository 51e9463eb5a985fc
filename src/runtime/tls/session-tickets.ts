/**
 * TLS session resumption (docs/operations.md): session tickets on or off, and the key that
 * seals them. With a shared secret (RAMPART_TLS_TICKET_KEY) every instance of a fleet derives
 * the same key for the same rotation period, so a client resumes on whichever instance it
 * reaches next; without one the key is random per process. Either way the key changes every
 * `rotationSeconds` (forward secrecy of tickets), on the same wall-clock boundary fleet-wide.
 */
import { createHash, hkdfSync, randomBytes, constants } from "node:crypto";
import type { SecureContextOptions, Server as TlsServer } from "node:tls";

/** The resumption settings of the runtime (options.ts `tlsSessions`). */
export interface TlsSessionOptions {
  readonly tickets: boolean;
  readonly rotationSeconds: number;
  /** A fleet-wide secret; absent: a random key per process. */
  readonly ticketKey?: string | undefined;
}

/** Node's ticket key: 16 bytes name, 16 bytes HMAC secret, 16 bytes AES key. */
const KEY_BYTES = 48;

/** The ticket key of one rotation period, derived from the fleet secret. */
export function ticketKeyFor(secret: string, period: number): Buffer {
  const salt = "rampart tls ticket key v1";
  return Buffer.from(hkdfSync("sha256", secret, salt, `period ${period}`, KEY_BYTES));
}

/** The key in force and the terminators that use it; rotates them all on the period boundary. */
export class SessionTickets {
  readonly #options: TlsSessionOptions;
  readonly #terminators = new Set<WeakRef<TlsServer>>();
  readonly #now: () => number;
  #period = -1;
  #key: Buffer = Buffer.alloc(0);
  #timer: NodeJS.Timeout | null = null;

  constructor(options: TlsSessionOptions, now: () => number = Date.now) {
    this.#options = options;
    this.#now = now;
    if (options.tickets) this.#rotate();
  }

  /** Options for a new terminator: tickets off, or the current key. */
  contextOptions(): Pick<SecureContextOptions, "secureOptions" | "ticketKeys"> {
    if (!this.#options.tickets) return { secureOptions: constants.SSL_OP_NO_TICKET };
    return { ticketKeys: this.#key };
  }

  /** Keeps a terminator's key current across rotations (until it is garbage). */
  track(server: TlsServer): void {
    if (this.#options.tickets) this.#terminators.add(new WeakRef(server));
  }

  /** Stops the rotation timer. */
  close(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #rotate(): void {
    const periodMs = this.#options.rotationSeconds * 1000;
    const now = this.#now();
    this.#period = Math.floor(now / periodMs);
    const secret = this.#options.ticketKey;
    this.#key = secret === undefined ? randomBytes(KEY_BYTES) : ticketKeyFor(secret, this.#period);
    for (const ref of this.#terminators) {
      const server = ref.deref();
      if (server === undefined) this.#terminators.delete(ref);
      else server.setTicketKeys(this.#key);
    }
    // Wake at the next boundary, so every instance switches keys at the same moment.
    this.#timer = setTimeout(() => this.#rotate(), (this.#period + 1) * periodMs - now);
    this.#timer.unref();
  }
}

/**
 * The session-ID context of a terminator: a session resumes only on the tunnel and host it
 * was made for (a ticket from one tunnel never skips another tunnel's client-certificate
 * check). Stable across instances, so fleet-wide keys resume; at most 32 bytes (OpenSSL).
 */
export function sessionContextFor(tunnelId: string, host: string): string {
  return createHash("sha256").update(`${tunnelId}\0${host}`).digest("hex").slice(0, 32);
}
