/**
 * Who is asking, for the per-address limits (failed API keys): the connection's peer, or, when that peer is one
 * of TRUSTED_PROXIES (a load balancer in front), the address it forwarded in `X-Forwarded-For`. The list is read
 * from the right: the first address that is not a trusted proxy is the client, so a client cannot pick its
 * address by sending the header itself. Without trusted proxies no header is believed.
 */

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`. */
export function plainAddress(address: string): string {
  const trimmed = address.trim();
  return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice(7) : trimmed;
}

export function clientAddressFrom(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: readonly string[],
): string {
  if (!peer) return 'unknown';
  let client = plainAddress(peer);
  if (!trustedProxies.includes(client) || forwardedFor === undefined) return client;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map(plainAddress)
    .filter(Boolean);
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    client = hops[index];
    if (!trustedProxies.includes(client)) break;
  }
  return client.slice(0, 64);
}
