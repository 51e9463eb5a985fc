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

/** A self-signed P-256 server certificate for `hosts`. */
export function selfSigned(dir: string, name: string, hosts: string[]): CertFiles {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "2",
      "-subj",
      `/CN=${hosts[0]}`,
      "-addext",
      `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(",")}`,
    ],
    dir,
  );
  return { cert, key };
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
  const cert = join(dir, `${name}-ca.pem`);
  const key = join(dir, `${name}-ca.key`);
  openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "2",
      "-subj",
      `/CN=${name} test CA`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign",
    ],
    dir,
  );
  return { cert, key };
}
