/**
 * The policy the browser tests serve, written in the DSL and run through the real pipeline
 * (parse → lower → bounds → compile), as `rampart serve` does.
 */
import type { CompiledPolicy } from "../../../src/compile/engine.ts";
import { compilePolicy } from "../../../src/compile/compile-policy.ts";
import { checkPolicySource } from "../../../src/cli/load-policy.ts";

/** Hosts of the test tunnels; Chromium resolves `*.localhost` to loopback by itself. */
export const SHOP_HOST = "shop.localhost";
export const APP_HOST = "app.localhost";

const SOURCE = `
project "e2e" {
  workspace "ws-e2e"
  plan pro
  public_access allowed
}

# A public shop behind challenge mode only: bots meet the proof of work, people pass.
tunnel "shop" {
  protocol http
  hosts ["${SHOP_HOST}"]
  public
  upstream "http://127.0.0.1:9"
  auth none
  challenge on
}

# A staff app: machine clients use tokens, browsers sign in, bots meet the challenge first.
tunnel "app" {
  protocol http
  hosts ["${APP_HOST}"]
  public
  upstream "http://127.0.0.1:9"
  auth token, rstream-auth
  challenge on
  allow_users { domains ["example.org"] }
}

grant "app-client" {
  type app
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["e2e"]
    connect where id = "app"
  }
}
`;

/** The compiled test policy; throws with the diagnostics if it does not compile. */
export function compileTestPolicy(): CompiledPolicy {
  const checked = checkPolicySource({ name: "e2e.rampart", text: SOURCE });
  if (checked.effective === undefined)
    throw new Error(JSON.stringify(checked.diagnostics, null, 2));
  return compilePolicy(checked.effective);
}
