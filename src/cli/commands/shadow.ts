/** `rampart shadow report [LOG]`: what a shadow rollout (`serve --shadow`) saw, from its log. */
import { MARK } from "../../analysis/diff/render-diff.ts";
import type { ChangeKind } from "../../analysis/diff/types.ts";
import { summarizeShadowLog } from "../../runtime/shadow/summarize-log.ts";
import type { ShadowLogSummary } from "../../runtime/shadow/summarize-log.ts";
import { parseCommandArgs, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { UnreadableFile } from "../load-policy.ts";

export const shadowHelp = `rampart shadow report [LOG | -] [--format text|json] [--examples N]

Summarizes the log of \`rampart serve --shadow CANDIDATE\`: how many requests, TLS
handshakes and stream connections the candidate decided differently from the
running policy, per rule pair (running rule, candidate rule), each with the
decisions in \`rampart diff\`'s words and example witnesses. Reads standard input when LOG is \`-\` or absent; lines that are
not the runtime's JSON log records are skipped.
  --format text|json    text for people (default), JSON for tools
  --examples N          witnesses shown per rule pair (default 3)
Exit codes: 0 the candidate widens nothing seen, 1 some request would be newly
allowed, 2 usage or I/O error.`;

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk: string) => (text += chunk));
    process.stdin.on("end", () => resolve(text));
    process.stdin.on("error", reject);
  });
}

async function readLog(path: string | undefined, io: Io): Promise<string> {
  if (path === undefined || path === "-") return readStdin();
  try {
    return await io.readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UnreadableFile(path, code === "ENOENT" ? "no such file" : String(code ?? error));
  }
}

function count(summary: ShadowLogSummary, kind: ChangeKind): number {
  return summary.pairs.filter((p) => p.kind === kind).reduce((sum, p) => sum + p.count, 0);
}

/** The text report, laid out like `rampart diff`'s. */
export function renderShadowText(summary: ShadowLogSummary, source: string): string {
  const lines = [`rampart shadow report ${source}`];
  const byTunnel = new Map<string, ShadowLogSummary["pairs"][number][]>();
  for (const p of summary.pairs) byTunnel.set(p.tunnel, [...(byTunnel.get(p.tunnel) ?? []), p]);
  for (const [tunnel, pairs] of byTunnel) {
    lines.push("", `tunnel \`${tunnel}\``);
    for (const p of pairs) {
      const logged = p.logged === p.count ? "" : ` (${p.logged} logged)`;
      lines.push(
        `  ${MARK[p.kind]} ${p.change}: ${p.count} ${p.subject ?? "request"}${p.count === 1 ? "" : "s"}${logged}`,
        `      running:   ${p.running}`,
        `      candidate: ${p.candidate}`,
        ...p.witnesses.map((w) => `      witness: ${w}`),
      );
    }
  }
  const allowed = count(summary, "newly-allowed");
  lines.push(
    "",
    summary.disagreements === 0
      ? "no request was decided differently by the candidate"
      : `${allowed} newly allowed, ${count(summary, "newly-denied")} newly denied, ` +
          `${count(summary, "changed")} answered differently${allowed > 0 ? ": access widens" : ""}`,
  );
  if (summary.skipped > 0)
    lines.push(`(${summary.skipped} line${summary.skipped === 1 ? "" : "s"} not JSON, skipped)`);
  return `${lines.join("\n")}\n`;
}

export async function shadow(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(argv, {
    format: { type: "string" },
    examples: { type: "string" },
  });
  const [verb, path, ...rest] = positionals;
  if (verb !== "report" || rest.length > 0)
    throw new UsageError("usage: rampart shadow report [LOG | -] [--format text|json]");
  const format = values["format"] ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError("--format must be text or json");
  const examples = values["examples"] === undefined ? 3 : Number(values["examples"]);
  if (!Number.isInteger(examples) || examples < 0)
    throw new UsageError("--examples takes a whole number");
  const summary = summarizeShadowLog(await readLog(path, io), examples);
  const source = path === undefined || path === "-" ? "(stdin)" : path;
  io.out(
    format === "json"
      ? `${JSON.stringify({ log: source, ...summary }, null, 2)}\n`
      : renderShadowText(summary, source),
  );
  return count(summary, "newly-allowed") > 0 ? ExitCode.Findings : ExitCode.Ok;
}
