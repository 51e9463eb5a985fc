/**
 * The slow path of client-address parsing: the IR's reference parser (`parseAddress`), which
 * defines what the odd forms mean, adapted to the matcher's number/byte layout.
 */
import { parseAddress } from "../../ir/ip.ts";
import type { SlowAddressParser } from "./address.ts";

/** Parses with the reference semantics; BigInt is fine here, it is off the hot path. */
export const referenceSlowParser: SlowAddressParser = (text) => {
  const parsed = parseAddress(text);
  if (parsed === null) return null;
  if (parsed.family === 4) return { family: 4, v4: Number(parsed.value) };
  const bytes = new Uint8Array(16);
  let value = parsed.value;
  for (let i = 15; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return { family: 6, bytes };
};
