/**
 * The Rampart side of the nginx tests: the forward-auth endpoint and the serving listener
 * (for /.well-known/rstream/*) over the forward-auth fixture policy, nginx trusted as proxy.
 */
import {
  startForwardAuthServer,
  forwardAuthPolicy,
  TOKEN_SECRET,
} from "../runtime/forward-auth-fixture.ts";
import { startTestRuntime } from "../runtime/helpers/runtime.ts";

/** Rampart as the nginx example expects it. */
export interface RampartForNginx {
  readonly forwardAuthPort: number;
  readonly servePort: number;
  close(): Promise<void>;
}

/** Starts Rampart with `upstream` as every tunnel's upstream. */
export async function startRampartForNginx(upstream: string): Promise<RampartForNginx> {
  const forwardAuth = await startForwardAuthServer(["127.0.0.1"]);
  const { runtime } = await startTestRuntime([forwardAuthPolicy(upstream)], {
    tokens: { secret: TOKEN_SECRET },
    trustedProxies: ["127.0.0.1"],
  });
  return {
    forwardAuthPort: forwardAuth.port,
    servePort: runtime.addresses.http?.port ?? 0,
    close: async () => {
      await forwardAuth.close();
      await runtime.close();
    },
  };
}
