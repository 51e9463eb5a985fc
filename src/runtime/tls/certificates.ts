/**
 * Certificate files as configured: read once per load, so a reload also picks up renewed
 * certificates.
 */
import { readFile } from "node:fs/promises";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { unreadableFile } from "../diagnostics.ts";

/** One configured certificate with its key, read into memory. */
export interface LoadedCertificate {
  readonly hosts: readonly string[];
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly certFile: string;
}

/** Reads every certificate; unreadable ones are left out with an RP6002 diagnostic. */
export async function readCertificates(
  configured: readonly { hosts: readonly string[]; certFile: string; keyFile: string }[],
  diagnostics: Diagnostic[],
): Promise<LoadedCertificate[]> {
  const loaded: LoadedCertificate[] = [];
  for (const c of configured) {
    try {
      const [cert, key] = await Promise.all([readFile(c.certFile), readFile(c.keyFile)]);
      loaded.push({ hosts: c.hosts, cert, key, certFile: c.certFile });
    } catch (error) {
      diagnostics.push(unreadableFile("certificate", c.certFile, errorText(error)));
    }
  }
  return loaded;
}

/** A short, lower-case reason from an fs or OpenSSL error. */
export function errorText(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e.code === "ENOENT") return "no such file";
  if (e.code === "EACCES") return "permission denied";
  const message = (e.message ?? String(error)).split("\n")[0] ?? "";
  return message.replace(/^error:[0-9A-F]+:/i, "").toLowerCase();
}
