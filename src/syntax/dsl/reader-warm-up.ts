/**
 * A warm-up of the direct path before a large file: a small policy that holds the usual kinds
 * of statements, read a few times, so that V8 has seen every kind when it optimizes the reader.
 *
 * A large policy is written in runs of one kind: thousands of tunnels, then thousands of grants.
 * V8 optimizes the scanner and the block reader while it reads the tunnels, for what it has seen
 * so far. The first grant then meets code that never ran (a permission word, a statement reader
 * not called before) and V8 throws the optimized code away and compiles it again: for
 * 10,000 tunnels + 10,000 grants, the scanner's `next` and the block reader twice, ~4 % of the
 * parse phase's instructions. Reading this sample first costs a fraction of that.
 */

/** Texts shorter than this are read as they come: V8 does not optimize the reader for them. */
export const WARM_UP_FROM_LENGTH = 256 * 1024;

/**
 * Reads of the sample: V8 gives a function its feedback only after a few calls, and records
 * only what runs after that. Measured on 10,000 + 10,000: four reads gain as much as two, eight
 * gain less.
 */
const READS = 2;

/** Every token kind the common statements use, in each statement reader's usual places. */
export const WARM_UP_SAMPLE = `project "warm-up" {
  name "Warm-up"
  plan enterprise
  public_access allowed
  trusted_ips [10.0.0.0/8, 2001:db8::/32]
  tls_min 1.2
}

tunnel "a" {
  name "A"
  labels { env = "prod", team = "core" }
  protocol http
  hosts ["a.example.test"]
  public
  upstream "http://10.0.0.1:8080"
  auth token, rstream-auth
  geo_ip [DE, FR]
  trusted_ips [10.1.0.0/24]
  tls_min 1.3
}

tunnel "b" {
  name "B"
  labels { env = "dev", team = "data" }
  protocol tls-passthrough
  hosts ["b.example.test"]
  public
  upstream "tcp://10.0.0.2:8443"
}

tunnel "c" {
  name "C"
  labels { env = "staging", team = "ml" }
  protocol tcp
  private
  upstream "tcp://10.0.0.3:5432"
}

grant "g" {
  type app
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["warm-up"]
    connect where id = "a" {
      path prefix ["/v1/", "/v2/"]
      methods [GET, POST]
    }
  }
}

grant "h" {
  type app
  permissions [tunnels.resources.read-only]
  resources scope {
    projects ["warm-up"]
    connect where labels.team = "core" and labels.env = "prod" {
      path prefix ["/"]
      methods [GET]
    }
  }
}
`;

/**
 * Reads the sample with `read` (the direct path's reader) when `text` is long enough to gain
 * from it. What the reads return is dropped: the sample writes nothing the caller sees.
 */
export function warmUpFor(text: string, read: (sample: string) => unknown): void {
  if (text.length < WARM_UP_FROM_LENGTH) return;
  for (let i = 0; i < READS; i++) read(WARM_UP_SAMPLE);
}
