/**
 * The direct path of the DSL front end: the text read token by token (`scanner.ts`, no token
 * objects) and written straight into the document and its span rows, with no syntax tree in
 * between. Tokens, trees and span handles were most of what parsing a large policy allocated.
 *
 * It writes exactly the document and spans that the tree path (parser, then
 * `tree-to-document.ts`) writes for a file without problems, and gives up (`undefined`) on
 * anything else: a token the grammar does not accept there, a setting written twice, a missing
 * or second project, a test's `expect` before its `request`. The caller then parses the file
 * the other way, which reports every problem as it always has.
 */
import type { SourceFile } from "../../diagnostics/span.ts";
import * as t from "../../../grammar/tokens.ts";
import { codeUnitsOf } from "../code-units.ts";
import { SpanTree } from "../span-tree.ts";
import type { Obj } from "./build-values.ts";
import { credentialStatement, projectStatement, tunnelStatement } from "./direct-settings.ts";
import type { StatementReader } from "./direct-settings.ts";
import { grantStatement } from "./direct-grants.ts";
import { testStatement } from "./direct-tests.ts";
import { inDocumentOrder } from "./tree-to-document.ts";
import { DirectReader, GIVE_UP } from "./direct-reader.ts";
import { warmUpFor } from "./reader-warm-up.ts";

/** A file read by the direct path: its document, before schema validation, and its spans. */
export interface DirectDocument {
  readonly document: Obj;
  readonly spans: SpanTree;
}

/** The document and spans of `source`, or `undefined` to leave it to the tree path. */
export function readDocument(source: SourceFile): DirectDocument | undefined {
  warmUpFor(source.text, (sample) => readSource({ name: "warm-up.rampart", text: sample }));
  return readSource(source);
}

function readSource(source: SourceFile): DirectDocument | undefined {
  const spans = new SpanTree(source.text.length / 12);
  try {
    return { document: new TextToDocument(source, spans).read(), spans };
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}

const ROOT = 0;

/** A top-level list (`tunnels`, `grants` …) once its first item is read: its items, its row. */
class TopList {
  readonly items: Obj[] = [];
  readonly row: number;

  constructor(row: number) {
    this.row = row;
  }
}

class TextToDocument {
  // `declare`d plain properties and `private` methods, not `#` ones (see `Scanner`).
  declare private readonly r: DirectReader;
  declare private readonly doc: Obj;
  // One field per list, not a lookup by name per item (10,000 tunnels, 10,000 grants).
  declare private tunnels: TopList | undefined;
  declare private grants: TopList | undefined;
  declare private credentials: TopList | undefined;
  declare private tests: TopList | undefined;

  constructor(source: SourceFile, spans: SpanTree) {
    const rows = spans.rowWriter();
    const file = spans.fileId(source.name);
    this.r = new DirectReader(source.text, codeUnitsOf(source.text, source.bytes), rows, file);
    this.doc = {};
    this.tunnels = undefined;
    this.grants = undefined;
    this.credentials = undefined;
    this.tests = undefined;
    rows.setRange(ROOT, file, 0, source.text.length);
  }

  read(): Obj {
    const r = this.r;
    r.advance();
    for (let type = r.type; type !== undefined; type = r.type) {
      if (type === t.Tunnel) {
        this.tunnels = this.item(this.tunnels, "tunnels", "id", tunnelStatement);
      } else if (type === t.Grant) {
        this.grants = this.item(this.grants, "grants", "name", grantStatement);
      } else if (type === t.Schema) {
        this.schema();
      } else if (type === t.Project) {
        this.project();
      } else if (type === t.Credential) {
        this.credentials = this.item(this.credentials, "credentials", "name", credentialStatement);
      } else if (type === t.Test) {
        this.tests = this.item(this.tests, "tests", "name", testStatement);
      } else {
        throw GIVE_UP;
      }
    }
    // A missing project is an error the tree path reports.
    if (!Object.hasOwn(this.doc, "project")) throw GIVE_UP;
    return inDocumentOrder(this.doc);
  }

  /** `schema "…"`. */
  private schema(): void {
    const r = this.r;
    r.advance();
    const start = r.start;
    r.put(this.doc, ROOT, "$schema", r.takeString(), start, r.lastEnd);
  }

  /** The project block, written into `document.project` (a second one gives up). */
  private project(): void {
    const r = this.r;
    const start = r.start;
    r.advance();
    r.claim(this.doc, "project");
    const obj: Obj = {};
    this.doc["project"] = obj;
    const row = r.row(ROOT, "project");
    this.block(obj, row, "id", projectStatement);
    r.span(row, start, r.lastEnd);
  }

  /**
   * The next item of the top-level list `key` (`tunnels`, `grants` …), named at `nameKey`: the
   * list, made with its first item.
   */
  private item(
    list: TopList | undefined,
    key: string,
    nameKey: string,
    statement: StatementReader,
  ): TopList {
    const r = this.r;
    const start = r.start;
    r.advance();
    if (list === undefined) {
      list = new TopList(r.row(ROOT, key));
      this.doc[key] = list.items;
    }
    const items = list.items;
    const obj: Obj = {};
    const row = r.row(list.row, items.length);
    items.push(obj);
    this.block(obj, row, nameKey, statement);
    r.span(row, start, r.lastEnd);
    return list;
  }

  /** `"name" { statements }` after a block's keyword: the name at `nameKey`, then each statement. */
  private block(obj: Obj, row: number, nameKey: string, statement: StatementReader): void {
    const r = this.r;
    const nameStart = r.start;
    r.put(obj, row, nameKey, r.takeString(), nameStart, r.lastEnd);
    r.take(t.LCurly);
    while (r.type !== t.RCurly) statement(r, obj, row);
    r.take(t.RCurly);
  }
}
