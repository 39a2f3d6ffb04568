import { isIPv6 } from "node:net";

/**
 * The key that rate limits count a client by: an IPv4 address as is (also when written IPv4-mapped,
 * "::ffff:10.0.0.1"), an IPv6 address by its /64 network, since one subscriber usually holds a whole /64 and could
 * otherwise take a fresh address for every attempt. Read from the connection as the transport saw it (Fastify's
 * `request.ip`, Socket.IO's `handshake.address`): forwarded headers count only from trusted proxies.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(":")}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head = "", tail] = address.split("%")[0]?.split("::") ?? [""];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4 handled above; others are rare) counts as two groups.
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.map((group) => (Number.parseInt(group, 16) || 0).toString(16));
}
