/**
 * The writer's half of payload sharing (format version 2): every object or array that occurs
 * more than once in the policies (a tunnel's default TLS block, a country list, a grant's
 * action, the same trusted-IP set under `ipRules` and `allowedIps` …) is written once into a
 * `shared` table and referred to by its index elsewhere. The bench's 10,000-tunnel payload
 * shrinks by about 30% (its tunnels differ in names, hosts and CIDRs), and the loader parses
 * and checks each shared value once instead of once per occurrence. The reader's half is in
 * `shape-checks.ts`: a reference is a number where the schema expects an object or an array,
 * so it can never be mistaken for a scalar.
 *
 * The output is canonical JSON (keys sorted, no whitespace), so the content hash agrees with
 * `canonicalJson` of the parsed payload.
 *
 * Distinct values are found by hash-consing without building any text: a value is its shape
 * (an array, or an object's member names in order) and a row of tokens (a scalar, or the id of
 * a nested distinct value), kept in typed arrays; the text is written once, at the end, as UTF-8
 * bytes copied from pieces encoded once (`text-pieces.ts`). (The writer before issue #19 keyed
 * each value by its text and took ~5 s and ~600 MB on the 10,000-tunnel, 10,000-grant bench
 * policy; the bytes are the same, see test/compile/bundle-bytes.test.ts.)
 */
import { ByteText } from "./byte-text.ts";
import { DistinctValues, TOKEN_CHILD, TOKEN_INT, TOKEN_PIECE } from "./distinct-values.ts";

/** Values shorter than this are written in place: a reference would save too little. */
const MIN_SHARED_LENGTH = 16;

/** The payload's sharing plan and text. */
export interface SharedPayloadText {
  /** Canonical JSON text of `{ diagnostics, policies, shared }` (decoded on each read). */
  readonly text: string;
  /** The same text's UTF-8 bytes, as views of the chunks they were written in. */
  readonly chunks: readonly Buffer[];
  /** Number of values in the shared table. */
  readonly sharedCount: number;
}

/**
 * Decides which values to share: walks parents before children (ids descending), counting how
 * often each value's text would be written. A value written at least twice and long enough is
 * shared, and its own children then count once, not once per use. Returns each value's index
 * in the shared table (-1 when written in place) and the table's ids in order.
 */
function plan(
  values: DistinctValues,
  roots: readonly number[],
): { index: Int32Array; table: number[] } {
  const count = values.count;
  const uses = new Float64Array(count);
  const index = new Int32Array(count).fill(-1);
  for (const root of roots) uses[root] = (uses[root] ?? 0) + 1;
  for (let id = count - 1; id >= 0; id--) {
    // SAFETY: 0 <= id < count, the length of `uses`.
    const used = uses[id] as number;
    const shared = used >= 2 && values.textIsAtLeast(id, MIN_SHARED_LENGTH);
    if (shared) index[id] = 0;
    const written = shared ? 1 : used;
    if (written !== 0) countChildUses(values, id, written, uses);
  }
  // Children have lower ids, so numbering in id order makes references point backwards.
  const table: number[] = [];
  for (let id = 0; id < count; id++) {
    if (index[id] === 0) {
      index[id] = table.length;
      table.push(id);
    }
  }
  return { index, table };
}

/**
 * Adds `written` uses to each nested value of `id`. A function of its own, not an inner loop of
 * `plan`: V8 compiled that loop on stack replacement and left the compiled code at each of the
 * loop's ~90 exits in a cold write.
 */
function countChildUses(
  values: DistinctValues,
  id: number,
  written: number,
  uses: Float64Array,
): void {
  const end = values.slotEnd(id);
  for (let slot = values.slotStart(id); slot < end; slot++) {
    if (values.slotKind(slot) !== TOKEN_CHILD) continue;
    const child = values.slotValue(slot);
    uses[child] = (uses[child] ?? 0) + written;
  }
}

/**
 * Writes the text of values as UTF-8 bytes: openers, closers and scalars copied from their
 * pieces (each encoded once), integers written digit by digit, no string per piece.
 */
class PayloadBytes {
  readonly #out: ByteText;
  readonly #values: DistinctValues;
  readonly #index: Int32Array;
  /** The pieces' bytes and where each starts (the values are sealed: no piece is added). */
  readonly #pieceBytes: DataView;
  readonly #pieceStarts: Int32Array;

  constructor(out: ByteText, values: DistinctValues, index: Int32Array) {
    this.#out = out;
    this.#values = values;
    this.#index = index;
    this.#pieceBytes = values.pieces.view();
    this.#pieceStarts = values.pieces.starts;
  }

  piece(id: number): void {
    const starts = this.#pieceStarts;
    // SAFETY: piece ids are below the pieces' count; `starts` has one more entry.
    this.#out.copy(this.#pieceBytes, starts[id] as number, starts[id + 1] as number);
  }

  /** A value where it is used: its shared index, or its text in place. */
  refer(id: number): void {
    // SAFETY: every id is below `values.count`, the length of `index`.
    const shared = this.#index[id] as number;
    if (shared >= 0) this.#out.int(shared);
    else this.inPlace(id);
  }

  /** A value's own text, its nested values referred to. */
  inPlace(id: number): void {
    const values = this.#values;
    const first = values.firstPiece(id);
    const start = values.slotStart(id);
    const end = values.slotEnd(id);
    for (let slot = start; slot < end; slot++) {
      this.piece(first + slot - start);
      const kind = values.slotKind(slot);
      const token = values.slotValue(slot);
      if (kind === TOKEN_CHILD) this.refer(token);
      else if (kind === TOKEN_PIECE) this.piece(token);
      // JSON writes a finite number as `String` does (and -0 as 0, as its token holds it).
      else if (kind === TOKEN_INT) this.#out.int(token);
      else this.span(token);
    }
    this.piece(first + end - start);
  }

  /** The `[file, start, end]` text of the span of index `index`. */
  span(index: number): void {
    const values = this.#values;
    const out = this.#out;
    this.piece(values.spanOpening(index));
    out.int(values.spanStart(index));
    out.ascii(COMMA);
    out.int(values.spanEnd(index));
    out.ascii(CLOSE_BRACKET);
  }
}

const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;

/** A policy's member: its key text, then literal text, a span, or a distinct value. */
interface PolicyMember {
  /** `"name":`. */
  readonly prefix: string;
  /** The member's text when it is written as it is, or null. */
  readonly text: string | null;
  /** Otherwise: the distinct value's id, or `-1 - index` of a span. */
  readonly id: number;
}

/**
 * Writes `{ diagnostics, policies, shared }` as canonical JSON, sharing repeated objects and
 * arrays inside the policies. `opaque` names policy members written as
 * they are (their contents are not checked field by field on load, so they may not hold
 * references). `spansAsTuples` (format version 3) writes each span in the policies as
 * `[file, start, end]`, the file an index into a `files` member:
 * `{ diagnostics, files, policies, shared }`.
 */
export function writeSharedPayload(
  policies: readonly object[],
  diagnostics: readonly unknown[],
  canonical: (value: unknown) => string,
  opaque: readonly string[],
  spansAsTuples = false,
): SharedPayloadText {
  const values = new DistinctValues(spansAsTuples);
  const skipped = new Set(opaque);
  const roots: number[] = [];
  // Per policy, its members in key order.
  const members = policies.map((policy) =>
    Object.keys(policy)
      .sort()
      .flatMap((name): PolicyMember[] => {
        const item = (policy as Record<string, unknown>)[name];
        if (item === undefined) return [];
        const prefix = `${JSON.stringify(name)}:`;
        if (skipped.has(name)) return [{ prefix, text: canonical(item), id: 0 }];
        const id = values.add(item);
        if (id === null) return [{ prefix, text: JSON.stringify(item) ?? "null", id: 0 }];
        if (id >= 0) roots.push(id);
        return [{ prefix, text: null, id }];
      }),
  );
  values.seal();
  const { index, table } = plan(values, roots);
  const out = new ByteText();
  const payload = new PayloadBytes(out, values, index);
  out.text(`{"diagnostics":${canonical(diagnostics)},`);
  if (values.files !== null) out.text(`"files":${JSON.stringify(values.files)},`);
  out.text('"policies":[');
  members.forEach((list, p) => {
    out.text(p === 0 ? "{" : ",{");
    list.forEach((member, m) => {
      out.text(m === 0 ? member.prefix : `,${member.prefix}`);
      if (member.text !== null) out.text(member.text);
      else if (member.id < 0) payload.span(-1 - member.id);
      else payload.refer(member.id);
    });
    out.text("}");
  });
  out.text('],"shared":[');
  table.forEach((id, i) => {
    if (i > 0) out.ascii(COMMA);
    payload.inPlace(id);
  });
  out.text("]}");
  const chunks = out.chunks();
  return {
    chunks,
    // Decoded only when asked: the bundle writer hashes and writes the bytes.
    get text() {
      return Buffer.concat(chunks).toString("utf8");
    },
    sharedCount: table.length,
  };
}
