/**
 * Reads a live socket's TCP_NODELAY with getsockopt(2). Node can set the option but never
 * reports it, so the test finds the socket's file descriptor in this process (Linux /proc:
 * the connection's inode in /proc/net/tcp, then the fd pointing at it) and hands that
 * descriptor to a `perl` child (Debian's perl-base is essential), which asks the kernel.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** One IPv4 TCP connection as /proc/net/tcp lists it. */
interface TcpEntry {
  readonly localPort: number;
  readonly remotePort: number;
  readonly inode: string;
}

function tcpEntries(): TcpEntry[] {
  const lines = readFileSync("/proc/net/tcp", "utf8").trim().split("\n").slice(1);
  return lines.map((line) => {
    const fields = line.trim().split(/\s+/);
    const port = (address: string | undefined): number =>
      Number.parseInt(address?.split(":")[1] ?? "0", 16);
    return { localPort: port(fields[1]), remotePort: port(fields[2]), inode: fields[9] ?? "" };
  });
}

/** This process's file descriptor of the loopback connection with these ports, or null. */
export function socketFd(localPort: number, remotePort: number): number | null {
  const entry = tcpEntries().find((e) => e.localPort === localPort && e.remotePort === remotePort);
  if (entry === undefined) return null;
  const target = `socket:[${entry.inode}]`;
  for (const name of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${name}`) === target) return Number(name);
    } catch {
      // An fd closed while listing: not ours.
    }
  }
  return null;
}

/** Every local port of this process's connections to `remotePort` (e.g. a pool's sockets). */
export function localPortsTo(remotePort: number): number[] {
  return tcpEntries()
    .filter((e) => e.remotePort === remotePort)
    .map((e) => e.localPort);
}

const GETSOCKOPT = [
  "use Socket qw(IPPROTO_TCP TCP_NODELAY);",
  'open(my $s, "+<&=", 3) or die "fd 3: $!";',
  'my $v = getsockopt($s, IPPROTO_TCP, TCP_NODELAY) or die "getsockopt: $!";',
  'print unpack("i", $v);',
].join("\n");

/** TCP_NODELAY of the socket behind `fd`, as the kernel reports it. */
export function noDelayOf(fd: number): boolean {
  const out = execFileSync("perl", ["-e", GETSOCKOPT], {
    stdio: ["ignore", "pipe", "pipe", fd],
    timeout: 5_000,
  });
  return out.toString().trim() !== "0";
}
