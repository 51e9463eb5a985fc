/** Test certificates generated at test time with the `openssl` CLI into a temporary directory. */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Paths of a generated certificate and key. */
export interface CertFiles {
  readonly cert: string;
  readonly key: string;
}

const openssl = (args: string[], cwd: string): void => {
  execFileSync("openssl", args, { cwd, stdio: "pipe" });
};

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "rampart-runtime-"));
}

/** Writes a self-signed P-256 certificate and key, valid two days, with `extensions`. */
function selfSignedP256(
  dir: string,
  files: CertFiles,
  subject: string,
  extensions: readonly string[],
): CertFiles {
  const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  args.push("-keyout", files.key, "-out", files.cert, "-days", "2", "-subj", subject);
  for (const extension of extensions) args.push("-addext", extension);
  openssl(args, dir);
  return files;
}

/** A self-signed P-256 server certificate for `hosts`. */
export function selfSigned(dir: string, name: string, hosts: string[]): CertFiles {
  const files = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  return selfSignedP256(dir, files, `/CN=${hosts[0]}`, [
    `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(",")}`,
  ]);
}

/** A CA, and client certificates it signs. */
export function certificateAuthority(
  dir: string,
  name: string,
): CertFiles & { issue(cn: string): CertFiles } {
  const ca = selfSignedCa(dir, name);
  return {
    ...ca,
    issue(cn: string): CertFiles {
      const key = join(dir, `${name}-${cn}.key`);
      const csr = join(dir, `${name}-${cn}.csr`);
      const cert = join(dir, `${name}-${cn}.pem`);
      openssl(
        [
          "req",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          key,
          "-out",
          csr,
          "-subj",
          `/CN=${cn}`,
        ],
        dir,
      );
      openssl(
        [
          "x509",
          "-req",
          "-in",
          csr,
          "-CA",
          ca.cert,
          "-CAkey",
          ca.key,
          "-CAcreateserial",
          "-out",
          cert,
          "-days",
          "2",
        ],
        dir,
      );
      return { cert, key };
    },
  };
}

function selfSignedCa(dir: string, name: string): CertFiles {
  const files = { cert: join(dir, `${name}-ca.pem`), key: join(dir, `${name}-ca.key`) };
  return selfSignedP256(dir, files, `/CN=${name} test CA`, [
    "basicConstraints=critical,CA:TRUE",
    "keyUsage=critical,keyCertSign",
  ]);
}
