/**
 * deploy/rampart.service (issue #16): `systemd-analyze verify` accepts it with no warning
 * (systemd only warns about a misspelt key or value, so any output fails), and the service it
 * describes runs: its ExecStart, with the options from deploy/rampart.env, is what
 * `rampart serve` takes.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import { SERVE_OPTIONS } from "../../src/cli/commands/serve.ts";
import { envVarOf } from "../../src/cli/env-flags.ts";
import { ensureDebianBinary } from "../setup/nginx.ts";
import { REPO } from "../package/npm.ts";

const exec = promisify(execFile);
const UNIT = readFileSync(join(REPO, "deploy", "rampart.service"), "utf8");
const work = mkdtempSync(join(tmpdir(), "rampart-systemd-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** The unit's `Key=value` lines, by section. */
function directives(unit: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let section = "";
  for (const line of unit.split("\n")) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header !== null) section = header[1] ?? "";
    const entry = /^(\w+)=(.*)$/.exec(line);
    if (entry !== null)
      found.set(`${section}.${entry[1]}`, [
        ...(found.get(`${section}.${entry[1]}`) ?? []),
        entry[2] ?? "",
      ]);
  }
  return found;
}

describe("deploy/rampart.service (issue #16)", { timeout: 600_000 }, () => {
  it("passes systemd-analyze verify without a warning", async () => {
    const analyze = await ensureDebianBinary("systemd", "/usr/bin/systemd-analyze");
    // verify checks that ExecStart exists: point it at this checkout's bin.
    const unit = UNIT.replace(
      "ExecStart=/usr/local/bin/rampart serve",
      `ExecStart=${process.execPath} ${join(REPO, "bin", "rampart.js")} serve`,
    ).replace(
      "EnvironmentFile=/etc/rampart/rampart.env",
      `EnvironmentFile=${join(REPO, "deploy", "rampart.env")}`,
    );
    assert.notEqual(unit, UNIT);
    writeFileSync(join(work, "rampart.service"), unit);
    const { stdout, stderr } = await exec(analyze, ["verify", join(work, "rampart.service")], {
      timeout: 60_000,
    });
    assert.equal(`${stdout}${stderr}`, "");
  });

  it("runs serve as an unprivileged user, reloads with SIGHUP, and restricts the process", () => {
    const d = directives(UNIT);
    assert.deepEqual(d.get("Service.ExecStart"), ["/usr/local/bin/rampart serve"]);
    assert.deepEqual(d.get("Service.ExecReload"), ["/bin/kill -HUP $MAINPID"]);
    assert.deepEqual(d.get("Service.DynamicUser"), ["yes"]);
    assert.deepEqual(d.get("Service.ProtectSystem"), ["strict"]);
    assert.deepEqual(d.get("Service.NoNewPrivileges"), ["yes"]);
    assert.deepEqual(d.get("Service.CapabilityBoundingSet"), ["CAP_NET_BIND_SERVICE"]);
    assert.deepEqual(d.get("Install.WantedBy"), ["multi-user.target"]);
  });

  it("its environment file sets only variables that serve reads", () => {
    const known = new Set([
      ...Object.keys(SERVE_OPTIONS).map(envVarOf),
      "RAMPART_COOKIE_KEY",
      "RAMPART_TOKEN_SECRET",
    ]);
    const env = readFileSync(join(REPO, "deploy", "rampart.env"), "utf8");
    const names = [...env.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);
    assert.ok(names.length >= 4);
    for (const name of names) assert.ok(known.has(name ?? ""), `${name} is not read by serve`);
  });
});
