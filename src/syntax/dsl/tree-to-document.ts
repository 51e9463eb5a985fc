/**
 * The parser's syntax tree → the JSON document model, one top-level declaration at a time,
 * through a `DocumentWriter` that records spans. Values are taken as written (enum images,
 * strings, lists); the schema validator checks them afterwards. Statements are written by
 * `build-settings.ts` (project, tunnels), `build-grants.ts` (grants, filters) and
 * `build-tests.ts` (policy tests); this file owns the document root.
 */
import type { Block, Declaration } from "../../../grammar/syntax-tree.ts";
import { InternalError } from "../../diagnostics/diagnostic.ts";
import type { Span } from "../../diagnostics/span.ts";
import type { DocumentWriter, Target } from "./document-writer.ts";
import { duplicateProject, missingProject } from "./errors.ts";
import { grantStatement } from "./build-grants.ts";
import { projectStatement, tunnelStatement } from "./build-settings.ts";
import { testStatements } from "./build-tests.ts";
import { applySetting, str } from "./build-values.ts";
import type { Obj } from "./build-values.ts";
import { credentialKeys } from "./setting-keys.ts";

/** The document's keys in a fixed order, whatever order the file declared things in. */
const DOCUMENT_KEYS = ["$schema", "project", "tunnels", "grants", "credentials", "tests"];

/** The members of a document written in file order, in the document's order. */
export function inDocumentOrder(written: Obj): Obj {
  const doc: Obj = {};
  for (const key of DOCUMENT_KEYS) {
    if (Object.hasOwn(written, key)) doc[key] = written[key];
  }
  return doc;
}

/** Builds the document from declarations given in file order (`declaration`, then `finish`). */
export class TreeToDocument {
  readonly #w: DocumentWriter;
  readonly #text: string;
  readonly #doc: Obj = {};
  readonly #root: Target;
  /** The `project` keyword of the first project block, once one was written. */
  #projectKeyword: Span | undefined;
  /** The `project` keywords of further project blocks (each an error). */
  readonly #extraProjects: Span[] = [];
  /** The first declaration that is not a project: where to point when the project is missing. */
  #firstHead: Span | undefined;

  constructor(writer: DocumentWriter, text: string) {
    this.#w = writer;
    this.#text = text;
    this.#root = { obj: this.#doc, ptr: writer.spans.root, at: 0 };
    writer.mark(writer.spans.root, { start: 0, end: text.length });
  }

  /** Writes one top-level declaration into the document (called in file order). */
  declaration(node: Declaration): void {
    const w = this.#w;
    if (node.kind !== "project") this.#firstHead ??= w.extent(node);
    // Diagnostics are ranked by kind of declaration (see `VisitDiagnostics`).
    switch (node.kind) {
      case "schema":
        w.bag.rank = 0;
        w.put(
          { ...this.#root, at: node.start },
          "$schema",
          node.keyword,
          str(node.value),
          node.value,
        );
        return;
      case "project": {
        const keyword = w.token(node.keyword);
        if (this.#projectKeyword !== undefined) return void this.#extraProjects.push(keyword);
        this.#projectKeyword = keyword;
        w.bag.rank = 1;
        return this.#project(node, (t) => {
          for (const s of node.statements) projectStatement(w, t, s);
        });
      }
      case "tunnel":
        w.bag.rank = 2;
        return this.#item("tunnels", node, "id", (t) => {
          for (const s of node.statements) tunnelStatement(w, t, s);
        });
      case "grant":
        w.bag.rank = 3;
        return this.#item("grants", node, "name", (t) => {
          for (const s of node.statements) grantStatement(w, t, s);
        });
      case "credential":
        w.bag.rank = 4;
        return this.#item("credentials", node, "name", (t) => {
          for (const s of node.statements) applySetting(w, t, s, credentialKeys);
        });
      case "test":
        w.bag.rank = 5;
        return this.#item("tests", node, "name", (t) => testStatements(w, t, node.statements));
      default:
        throw new InternalError("unknown top-level declaration");
    }
  }

  /** The document, after the checks that need every declaration (one project). */
  finish(): Obj {
    const w = this.#w;
    w.bag.rank = 1.5;
    if (this.#projectKeyword === undefined) w.bag.add(missingProject(this.#missingProjectSpan()));
    for (const extra of this.#extraProjects) {
      w.bag.add(duplicateProject(extra, this.#projectKeyword ?? extra));
    }
    return inDocumentOrder(this.#doc);
  }

  /** Where to point when the project is missing: the first block's head line, or the start. */
  #missingProjectSpan(): Span {
    const first = this.#firstHead;
    if (first === undefined) return { file: this.#w.file, start: 0, end: 0 };
    const lineEnd = this.#text.indexOf("{", first.start);
    return { ...first, end: lineEnd < 0 || lineEnd > first.end ? first.end : lineEnd + 1 };
  }

  /** The project block, written into `document.project`, with its end anchor for comments. */
  #project(node: Block<"project", unknown>, fill: (t: Target) => void): void {
    const w = this.#w;
    const obj: Obj = {};
    const ptr = w.put({ ...this.#root, at: node.start }, "project", node, obj, node);
    if (ptr === undefined) return;
    const t: Target = { obj, ptr, at: node.start };
    w.put(t, "id", node.keyword, str(node.name), node.name);
    fill(t);
    w.anchor(ptr, node.close.startOffset, true);
  }

  /** The next item of the top-level list `key` (`tunnels`, `grants` …), named at `nameKey`. */
  #item(
    key: string,
    node: Block<string, unknown>,
    nameKey: string,
    fill: (t: Target) => void,
  ): void {
    const w = this.#w;
    const items = (this.#doc[key] ??= []) as Obj[];
    const obj: Obj = {};
    const ptr = w.spans.root.child(key).child(items.length);
    items.push(obj);
    w.mark(ptr, node);
    w.anchor(ptr, node.start);
    const t: Target = { obj, ptr, at: node.start };
    w.put(t, nameKey, node.keyword, str(node.name), node.name);
    fill(t);
    w.anchor(ptr, node.close.startOffset, true);
  }
}
