/**
 * Who a request comes from, worked out once per connection (issue #20): the peer's canonical
 * text, the client address (the peer, or what a trusted proxy's `X-Forwarded-For` names), the
 * `X-Forwarded-For` value to send upstream, and the client's GeoIP country. Every request on a
 * keep-alive connection has the same peer, so these are remembered on the socket and reused
 * while the request brings the same `X-Forwarded-For` value (always, when the peer is not a
 * trusted proxy: the header is then ignored). The memory is keyed by the serving state's
 * generation and the GeoIP database's epoch: a reload or a re-opened database is seen by the
 * next request, whatever connection it arrives on.
 */
import type { CountryLookup } from "../geoip.ts";
import { canonicalPeer, clientAddress } from "./client-ip.ts";
import type { TrustedProxies } from "./client-ip.ts";

/** What the facts and the forwarded headers need to know about the client. */
export interface ConnectionClient {
  /** The socket peer, canonical (S-R6). */
  readonly peer: string;
  /** The address decisions see. */
  readonly ip: string;
  /** The `X-Forwarded-For` value to send: the chain is only kept from a trusted proxy. */
  readonly forwardedFor: string;
  /** The client's country (null: unknown), looked up at most once per key. */
  country(geo: CountryLookup): string | null;
}

/** Where the memory rides on the socket (as the TLS facts do, `tls/listener.ts`). */
const CLIENT = Symbol("rampart.connectionClient");

type WithClient = { [CLIENT]?: RememberedClient };

/** Not yet looked up (null is a looked-up unknown country). */
const UNSET = undefined;

class RememberedClient implements ConnectionClient {
  readonly peer: string;
  readonly peerTrusted: boolean;
  generation: number;
  geoEpoch: number;
  /** The `X-Forwarded-For` value `ip` and `forwardedFor` were read from (trusted peer only). */
  readFrom: string | undefined;
  ip: string;
  forwardedFor: string;
  #country: string | null | undefined = UNSET;

  constructor(peer: string, peerTrusted: boolean, generation: number, geoEpoch: number) {
    this.peer = peer;
    this.peerTrusted = peerTrusted;
    this.generation = generation;
    this.geoEpoch = geoEpoch;
    this.readFrom = undefined;
    this.ip = peer;
    this.forwardedFor = peer;
  }

  country(geo: CountryLookup): string | null {
    if (this.#country === UNSET) this.#country = geo.country(this.ip);
    return this.#country;
  }

  /** Starts over for another key: the country is looked up again when asked. */
  forget(generation: number, geoEpoch: number): void {
    this.generation = generation;
    this.geoEpoch = geoEpoch;
    this.#country = UNSET;
  }

  /** Takes the client from a trusted proxy's `X-Forwarded-For` value. */
  readForwarded(value: string | undefined, trusted: TrustedProxies): void {
    this.readFrom = value;
    this.ip = clientAddress(this.peer, value, trusted);
    this.forwardedFor = value === undefined ? this.peer : `${value}, ${this.peer}`;
    this.#country = UNSET;
  }
}

/**
 * The client of a request arriving on `socket` with `forwardedFor` (its joined
 * `X-Forwarded-For`, if any). HOT PATH: a repeat on a connection is a property read and two
 * number comparisons, plus one string comparison behind a trusted proxy.
 */
export function connectionClient(
  socket: { readonly remoteAddress?: string | undefined },
  forwardedFor: string | undefined,
  trusted: TrustedProxies | null,
  generation: number,
  geo: CountryLookup,
): ConnectionClient {
  const geoEpoch = geo.epoch ?? 0;
  const holder = socket as WithClient;
  let client = holder[CLIENT];
  if (client === undefined) {
    const remoteAddress = socket.remoteAddress;
    const peer = canonicalPeer(remoteAddress);
    client = new RememberedClient(peer, trusted?.has(peer) === true, generation, geoEpoch);
    if (client.peerTrusted && trusted !== null) client.readForwarded(forwardedFor, trusted);
    // A socket already gone has no address yet to remember: this request alone uses it.
    if (remoteAddress !== undefined) holder[CLIENT] = client;
    return client;
  }
  if (client.generation !== generation || client.geoEpoch !== geoEpoch)
    client.forget(generation, geoEpoch);
  if (client.peerTrusted && trusted !== null && client.readFrom !== forwardedFor)
    client.readForwarded(forwardedFor, trusted);
  return client;
}
