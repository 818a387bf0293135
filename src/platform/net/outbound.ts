/**
 * Requests the platform makes to addresses other people chose (a consumer system's webhook): never
 * to this machine, a link-local address (cloud metadata at 169.254.169.254), or an unspecified or
 * multicast one; to a private network (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) only
 * where the operator allows it (`TONGBAN_WEBHOOK_ALLOW_NETS`: a government extranet is usually
 * private). Checked on every address the name resolves to, just before the request.
 */
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';

const never = new BlockList();
never.addSubnet('127.0.0.0', 8, 'ipv4');
never.addSubnet('0.0.0.0', 8, 'ipv4');
never.addSubnet('169.254.0.0', 16, 'ipv4');
never.addSubnet('224.0.0.0', 4, 'ipv4');
never.addSubnet('240.0.0.0', 4, 'ipv4');
never.addAddress('::1', 'ipv6');
never.addAddress('::', 'ipv6');
never.addSubnet('fe80::', 10, 'ipv6');
never.addSubnet('ff00::', 8, 'ipv6');

const privateNets = new BlockList();
privateNets.addSubnet('10.0.0.0', 8, 'ipv4');
privateNets.addSubnet('172.16.0.0', 12, 'ipv4');
privateNets.addSubnet('192.168.0.0', 16, 'ipv4');
privateNets.addSubnet('100.64.0.0', 10, 'ipv4');
privateNets.addSubnet('fc00::', 7, 'ipv6');

/** IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it carries. */
function plain(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return { address: m[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** The operator's private networks webhooks may reach (config's parsed TONGBAN_WEBHOOK_ALLOW_NETS). */
export function allowListOf(
  nets: ReadonlyArray<{ readonly address: string; readonly prefix: number; readonly family: 4 | 6 }>,
): BlockList | undefined {
  if (!nets.length) return undefined;
  const list = new BlockList();
  for (const n of nets) list.addSubnet(n.address, n.prefix, n.family === 6 ? 'ipv6' : 'ipv4');
  return list;
}

/** Why the platform must not send to this address, or undefined when it may. */
export function refusedAddress(address: string, allow?: BlockList): string | undefined {
  const a = plain(address);
  if (never.check(a.address, a.family)) return 'loopback, link-local, unspecified or multicast address';
  if (privateNets.check(a.address, a.family) && !allow?.check(a.address, a.family))
    return 'private network address not in TONGBAN_WEBHOOK_ALLOW_NETS';
  return undefined;
}

/** A host name that is never acceptable whatever it resolves to (checked when it is registered). */
export function refusedHostName(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isIP(h) !== 0 && never.check(plain(h).address, plain(h).family);
}

export type LookupAll = (host: string) => Promise<ReadonlyArray<{ address: string }>>;
const lookupAll: LookupAll = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * fetch that first resolves the URL's host and refuses (throws) when any of its addresses is one
 * the platform must not send to. A name that changes its answer between this check and the
 * connection (DNS rebinding) is the residual risk; operators who need more put the webhooks
 * behind an egress proxy (docs/operations.md).
 */
export function guardedFetch(opts: {
  allow?: BlockList | undefined;
  lookup?: LookupAll;
  fetch?: typeof fetch;
}): typeof fetch {
  const resolve = opts.lookup ?? lookupAll;
  const send = opts.fetch ?? fetch;
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [{ address: host }] : await resolve(host);
    if (!addresses.length) throw new Error(`no address for ${host}`);
    for (const a of addresses) {
      const why = refusedAddress(a.address, opts.allow);
      if (why) throw new Error(`refused: ${host} is a ${why}`);
    }
    return send(input, init);
  };
}

const MINUTE = 60_000;
/** Back-off after the n-th failed attempt of an outbound delivery: 1, 2, 4 … minutes, at most 6 hours. */
export const retryDelayMs = (attempts: number): number =>
  Math.min(MINUTE * 2 ** Math.max(0, attempts - 1), 360 * MINUTE);

/** What one attempt of a queued delivery leaves to record on its row. */
export interface DeliveryAttempt {
  readonly attempts: number;
  readonly delivered_at: string | null;
  /** the next try (unchanged when delivered) */
  readonly next_at: string;
  readonly last_status: number | null;
  readonly last_error: string | null;
}

/**
 * One attempt to POST a queued JSON delivery (10 s at most): delivered on a 2xx, else the error
 * and the next try after `retryDelayMs`. The caller records the result on its queue's row.
 */
export async function postDelivery(
  fetchImpl: typeof fetch,
  d: { readonly url: string; readonly body: string; readonly attempts: number; readonly next_at: string },
  init: { readonly headers: Record<string, string>; readonly redirect?: RequestRedirect },
  now: () => Date,
): Promise<DeliveryAttempt> {
  let status: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetchImpl(d.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...init.headers },
      body: d.body,
      ...(init.redirect ? { redirect: init.redirect } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    status = res.status;
    if (!res.ok) error = `HTTP ${res.status}`;
  } catch (err) {
    error = err instanceof Error ? err.message.slice(0, 200) : 'failed';
  }
  const attempts = Number(d.attempts) + 1;
  const at = now();
  return {
    attempts,
    delivered_at: error ? null : at.toISOString(),
    next_at: error ? new Date(at.getTime() + retryDelayMs(attempts)).toISOString() : d.next_at,
    last_status: status,
    last_error: error,
  };
}
