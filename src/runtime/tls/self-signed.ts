/**
 * A self-signed certificate for local use (the example mode): generated with the `openssl`
 * command into a private temporary directory. Node has no X.509 writer, and a checked-in key
 * would be a key everyone has.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Outcome } from "../../diagnostics/diagnostic.ts";
import { invalidCertificate } from "../diagnostics.ts";
import { errorText } from "./certificates.ts";

/** Files of a generated certificate. */
export interface GeneratedCertificate {
  readonly certFile: string;
  readonly keyFile: string;
}

const SAFE_HOST = /^(\*\.)?[a-z0-9.-]{1,253}$/;

/** A P-256 certificate valid for 30 days for `hosts` (exact or `*.` wildcard names). */
export function generateSelfSignedCertificate(
  hosts: readonly string[],
): Outcome<GeneratedCertificate> {
  const names = hosts.filter((h) => SAFE_HOST.test(h));
  if (names.length === 0)
    return {
      value: undefined,
      diagnostics: [invalidCertificate("a self-signed certificate", "no host names to cover")],
    };
  const dir = mkdtempSync(join(tmpdir(), "rampart-example-"));
  const certFile = join(dir, "example.pem");
  const keyFile = join(dir, "example.key");
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        keyFile,
        "-out",
        certFile,
        "-days",
        "30",
        "-subj",
        "/CN=rampart example",
        "-addext",
        `subjectAltName=${names.map((h) => `DNS:${h}`).join(",")}`,
      ],
      { stdio: "pipe", timeout: 10_000 },
    );
  } catch (error) {
    const reason =
      (error as { code?: string }).code === "ENOENT"
        ? "the `openssl` command is not installed"
        : errorText(error);
    return {
      value: undefined,
      diagnostics: [invalidCertificate("a self-signed certificate", reason)],
    };
  }
  return { value: { certFile, keyFile }, diagnostics: [] };
}
