import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { escapeData, escapeProperty, renderGithub } from "../../src/diagnostics/render-github.ts";

describe("renderGithub", () => {
  it("writes one workflow command per diagnostic with an inclusive end column", () => {
    const text = '{\n  "project": {"tls": 1}\n}';
    const file = "policies/prod.json";
    const start = text.indexOf('"tls"');
    const d: Diagnostic = {
      code: "RP2102",
      severity: "error",
      message: "unknown property `tls` in `project`",
      span: { file, start, end: start + 5 },
      help: "did you mean `tls_min_version`?",
    };
    const w: Diagnostic = {
      code: "RP9002",
      severity: "info",
      message: "3 more diagnostics were not shown",
    };
    assert.equal(
      renderGithub([d, w], new Map([[file, { name: file, text }]])),
      "::error file=policies/prod.json,line=2,col=15,endLine=2,endColumn=19,title=RP2102::" +
        "unknown property `tls` in `project`%0Ahelp: did you mean `tls_min_version`?\n" +
        "::notice title=RP9002::3 more diagnostics were not shown\n",
    );
  });

  it("escapes %, CR and LF in messages, and also : and , in properties", () => {
    assert.equal(escapeData("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
    assert.equal(escapeProperty("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");
    const d: Diagnostic = {
      code: "RP2001",
      severity: "warning",
      message: "m",
      span: { file: "a:b,c.json", start: 0, end: 0 },
    };
    assert.equal(
      renderGithub([d], new Map([["a:b,c.json", { name: "a:b,c.json", text: "" }]])),
      "::warning file=a%3Ab%2Cc.json,line=1,col=1,endLine=1,endColumn=1,title=RP2001::m\n",
    );
  });
});
