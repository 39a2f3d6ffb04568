import { BlockList, isIP } from "node:net";

/**
 * Which peers may tell the gateway a client's address (X-Forwarded-For): only the configured reverse proxies
 * (GATEWAY_TRUSTED_PROXIES), none by default. The audit trail records the address this gives, so trusting every
 * peer would let any client write the source address of its own audit rows. One rule serves the REST API (Fastify's
 * trustProxy) and the Socket.IO handshake.
 */
export interface ProxyTrust {
  /** Whether a peer at this address is a trusted proxy. */
  trusts(address: string): boolean;
  /** Nothing is trusted: X-Forwarded-For is ignored. */
  readonly none: boolean;
}

const NAMED: Record<string, string[]> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

/** Why an entry of GATEWAY_TRUSTED_PROXIES cannot be used, or null when it can. */
export function proxyEntryProblem(entry: string): string | null {
  if (NAMED[entry]) return null;
  const [address = "", bits, extra] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || extra !== undefined)
    return `"${entry}" is not an address, a CIDR range or ${Object.keys(NAMED).join("/")}`;
  if (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)))
    return `"${entry}" has a bad prefix length`;
  return null;
}

/** An IPv4 address as Node reports it on a dual-stack socket ("::ffff:10.0.0.1") is matched as IPv4. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? (mapped[1] as string) : address;
}

export function proxyTrust(entries: readonly string[]): ProxyTrust {
  const list = new BlockList();
  for (const entry of entries.flatMap((item) => NAMED[item] ?? [item])) {
    const problem = proxyEntryProblem(entry);
    if (problem) throw new Error(problem);
    const [address = "", bits] = entry.split("/");
    const type = isIP(address) === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return {
    none: entries.length === 0,
    trusts(address) {
      const candidate = plain(address);
      const family = isIP(candidate);
      return family !== 0 && list.check(candidate, family === 4 ? "ipv4" : "ipv6");
    },
  };
}

/**
 * The client's address as proxy-addr (Fastify's request.ip) computes it: start at the peer; while the current hop
 * is a trusted proxy, step to the next address to the left in X-Forwarded-For.
 */
export function clientAddress(peer: string, forwardedFor: string | string[] | undefined, trust: ProxyTrust): string {
  if (trust.none || forwardedFor === undefined) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  let address = peer;
  while (trust.trusts(address)) {
    const next = hops.pop();
    if (next === undefined || isIP(next) === 0) break;
    address = next;
  }
  return address;
}
