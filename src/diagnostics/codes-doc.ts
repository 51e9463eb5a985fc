/**
 * Writes `docs/codes.md`, the reference of every diagnostic code, from the registry
 * (`codes.ts`). The page is generated so it cannot drift from the codes Rampart emits:
 * `test/diagnostics/code-coverage.test.ts` compares it with this output and rewrites it under
 * `UPDATE_GOLDEN=1`.
 */
import type { CodeInfo, DiagnosticCode } from "./codes.ts";
import { codes } from "./codes.ts";

/** A stage of the pipeline, as named by the first part of a code's slug (`ir/…`). */
export interface CodeStage {
  /** The slug prefix, e.g. `ir`. */
  readonly prefix: string;
  /** Heading of the stage's section. */
  readonly title: string;
  /** One sentence: where in the pipeline these codes come from. */
  readonly origin: string;
}

/** The stages in pipeline order; every slug prefix in the registry is one of these. */
export const codeStages: readonly CodeStage[] = [
  {
    prefix: "syntax",
    title: "DSL syntax",
    origin: "Reading a `.rampart` file: characters, strings, the grammar and its limits.",
  },
  {
    prefix: "json",
    title: "JSON text",
    origin: "Reading a `.json` policy: JSON that does not parse, or that hides ambiguity.",
  },
  {
    prefix: "schema",
    title: "Policy schema",
    origin: "A policy document (JSON, or DSL mapped onto it) that does not fit the schema.",
  },
  {
    prefix: "ir",
    title: "Semantic checks",
    origin: "Lowering to the IR: values, duplicates, references, plans and protocols.",
  },
  {
    prefix: "bounds",
    title: "Bounds",
    origin: "Intersecting each tunnel with its project's bounds, and deriving grants.",
  },
  {
    prefix: "compile",
    title: "Decision bundles",
    origin: "Writing and loading compiled decision bundles.",
  },
  {
    prefix: "runtime",
    title: "Runtime",
    origin: "Starting or reloading `rampart serve`.",
  },
  {
    prefix: "lint",
    title: "Lint rules",
    origin: "`rampart lint`: rules over the effective policy.",
  },
  {
    prefix: "diff",
    title: "Policy diff",
    origin: "`rampart diff`: how a change moves decisions.",
  },
  {
    prefix: "test",
    title: "Policy tests",
    origin: "`rampart test` and `rampart explain`.",
  },
  {
    prefix: "internal",
    title: "Internal",
    origin: "Rampart's own failures and limits on what it reports.",
  },
];

/** The stage of a code, from its slug; `undefined` for a slug prefix no stage claims. */
export function stageOf(info: CodeInfo): CodeStage | undefined {
  const prefix = info.slug.slice(0, info.slug.indexOf("/"));
  return codeStages.find((s) => s.prefix === prefix);
}

/** What the page says about each code beyond the registry. */
export interface CodesDocInput {
  /** The registry to document; the real one unless a test passes its own. */
  readonly registry?: Readonly<Record<DiagnosticCode, CodeInfo>>;
  /** A repository path, relative to the root, of a file that produces the code. */
  readonly examples: ReadonlyMap<DiagnosticCode, string>;
  /** Why a code has no example file (e.g. an earlier stage always reports it first); `—` if absent. */
  readonly notes: ReadonlyMap<DiagnosticCode, string>;
}

const HEADER = `# Diagnostic codes

<!-- Generated from src/diagnostics/codes.ts by src/diagnostics/codes-doc.ts. Do not edit:
     regenerate with UPDATE_GOLDEN=1 node --test test/diagnostics/code-coverage.test.ts -->

Every problem Rampart reports has a stable code: \`RP\` and four digits, one thousand per
stage, never reused. The slug names the stage and what went wrong; it is the rule name in
SARIF output. Examples are files in this repository that produce the code:
\`rampart lint FILE\` shows it (\`rampart test FILE\` for policy tests).
`;

/** Markdown of the code reference, one table per stage, codes in numeric order. */
export function renderCodesDoc(input: CodesDocInput): string {
  const registry = input.registry ?? codes;
  const entries = (Object.entries(registry) as [DiagnosticCode, CodeInfo][]).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  const sections: string[] = [];
  for (const stage of codeStages) {
    const rows = entries.filter(([, info]) => stageOf(info) === stage);
    if (rows.length === 0) continue;
    sections.push(
      [
        `## ${stage.title}`,
        "",
        stage.origin,
        "",
        "| Code | Slug | Meaning | Example |",
        "| ---- | ---- | ------- | ------- |",
        ...rows.map(([code, info]) => row(code, info, input)),
      ].join("\n"),
    );
  }
  const contents = codeStages
    .filter((s) => entries.some(([, info]) => stageOf(info) === s))
    .map((s) => `- [${s.title}](#${anchor(s.title)})`);
  return `${HEADER}\n${contents.join("\n")}\n\n${sections.join("\n\n")}\n`;
}

function row(code: DiagnosticCode, info: CodeInfo, input: CodesDocInput): string {
  const example = input.examples.get(code);
  const note = input.notes.get(code);
  const cell =
    example !== undefined
      ? `[${example.slice(example.lastIndexOf("/") + 1)}](../${example})`
      : note !== undefined
        ? linkCodes(note)
        : "—";
  return `| <a id="${code.toLowerCase()}"></a>${code} | \`${info.slug}\` | ${cellText(info.summary)} | ${cellText(cell)} |`;
}

/** Codes named in a note link to their rows, so "RP3301 reports it first" can be followed. */
function linkCodes(text: string): string {
  return text.replaceAll(/\bRP\d{4}\b/g, (code) => `[${code}](#${code.toLowerCase()})`);
}

/** A table cell: a `|` would end the cell, a line break the row. */
function cellText(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** GitHub's heading anchor: lower case, spaces to dashes, punctuation dropped. */
function anchor(title: string): string {
  return title
    .toLowerCase()
    .replaceAll(/[^a-z0-9 -]/g, "")
    .replaceAll(" ", "-");
}
