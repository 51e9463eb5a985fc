/**
 * Reads a `rampart serve --shadow` log (pino JSON lines; other lines are skipped) back into
 * counts per rule pair with example witnesses: what `rampart shadow report` prints. Witness
 * lines and the per-minute "not logged" lines add up to every disagreement the runtime saw.
 */
import type { ChangeKind } from "../../analysis/diff/types.ts";
import { NOT_LOGGED_MESSAGE, WITNESS_MESSAGE } from "./witness-record.ts";
import type { PairRecord, ShadowSubject } from "./witness-record.ts";

/** One rule pair's disagreements on one tunnel in the log. */
export interface PairSummary extends PairRecord {
  /** Every disagreement of the pair: witness lines plus those counted as not logged. */
  readonly count: number;
  readonly logged: number;
  /** The first witnesses, in log order. */
  readonly witnesses: readonly string[];
}

export interface ShadowLogSummary {
  readonly disagreements: number;
  readonly pairs: readonly PairSummary[];
  /** Lines read, and lines that were not JSON log records (skipped). */
  readonly lines: number;
  readonly skipped: number;
}

const KINDS: readonly ChangeKind[] = ["newly-allowed", "newly-denied", "changed"];
const SUBJECTS: readonly ShadowSubject[] = ["request", "handshake", "connection"];

interface Mutable extends PairRecord {
  count: number;
  logged: number;
  witnesses: string[];
}

function text(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The pair fields of a line's `shadow` object, or null when it is not one of ours. */
function pairOf(shadow: unknown): PairRecord | null {
  if (shadow === null || typeof shadow !== "object") return null;
  const s = shadow as Record<string, unknown>;
  const kind = KINDS.find((k) => k === s["kind"]);
  if (kind === undefined) return null;
  return {
    kind,
    // A line from before handshakes and connections were told apart is about a request.
    subject: SUBJECTS.find((k) => k === s["subject"]) ?? "request",
    change: text(s["change"]),
    tunnel: text(s["tunnel"]),
    runningRule: text(s["runningRule"]),
    candidateRule: text(s["candidateRule"]),
    running: text(s["running"]),
    candidate: text(s["candidate"]),
  };
}

/** Summarizes a log's text; `examples` witnesses are kept per pair. */
export function summarizeShadowLog(log: string, examples = 3): ShadowLogSummary {
  const pairs = new Map<string, Mutable>();
  let lines = 0;
  let skipped = 0;
  for (const line of log.split("\n")) {
    if (line.trim() === "") continue;
    lines++;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      skipped++;
      continue;
    }
    const msg = record["msg"];
    if (msg !== WITNESS_MESSAGE && msg !== NOT_LOGGED_MESSAGE) continue;
    const pair = pairOf(record["shadow"]);
    if (pair === null) continue;
    const shadow = record["shadow"] as Record<string, unknown>;
    const key = `${pair.kind}\u0000${pair.runningRule}\u0000${pair.candidateRule}\u0000${pair.tunnel}\u0000${pair.subject}`;
    let entry = pairs.get(key);
    if (entry === undefined) {
      entry = { ...pair, count: 0, logged: 0, witnesses: [] };
      pairs.set(key, entry);
    }
    if (msg === WITNESS_MESSAGE) {
      entry.count++;
      entry.logged++;
      const witness = text(shadow["witness"]);
      if (entry.witnesses.length < examples && witness !== "") entry.witnesses.push(witness);
    } else {
      const n = shadow["notLogged"];
      if (typeof n === "number" && Number.isInteger(n) && n > 0) entry.count += n;
    }
  }
  const sorted = [...pairs.values()].sort(
    (a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || b.count - a.count,
  );
  return {
    disagreements: sorted.reduce((sum, p) => sum + p.count, 0),
    pairs: sorted,
    lines,
    skipped,
  };
}
