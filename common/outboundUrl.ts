import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector } from 'undici';

/**
 * The one rule for every URL the service calls because a caller told it to (today the merchant's
 * `notify_url`): such a URL must not let a caller make our servers reach inside our own network
 * (server-side request forgery). It is checked twice (docs/security.md says why both):
 *
 * - when the URL is accepted, as written (`outboundUrlRefusal`) and with its DNS name resolved
 *   (`resolvedOutboundUrlRefusal`), so the caller hears at once;
 * - when it is called, on the very addresses the connection is made to (`guardedAgent`), because a
 *   name can resolve to a public address at create time and to an internal one later (DNS rebinding).
 *
 * An address is allowed only if ipaddr.js classes it as `unicast`: every other class (loopback,
 * private, link-local, unique-local, carrier-grade NAT, multicast, broadcast, unspecified, reserved,
 * IPv4-mapped, NAT64, 6to4, Teredo...) is refused, so a class added to ipaddr.js later is refused too.
 */

export interface OutboundUrlPolicy {
  /** ALLOW_HTTP_WEBHOOK_URLS: plain http besides https (receivers on a developer's machine). */
  allowHttp: boolean;
  /** ALLOW_PRIVATE_WEBHOOK_URLS: no address checks at all (receivers on this machine or network, in development and tests). */
  allowPrivate: boolean;
  /** How a DNS name becomes addresses; tests hand in their own. Default: the system resolver, every address. */
  resolve?: Resolve;
}

export type Resolve = (hostname: string) => Promise<readonly dns.LookupAddress[]>;

/** What the API applies when it is given no policy: nothing but public https. */
export const STRICT_OUTBOUND_URLS: OutboundUrlPolicy = { allowHttp: false, allowPrivate: false };

/** A connection refused because the name resolved to an address the policy refuses. */
export class OutboundAddressRefused extends Error {
  override name = 'OutboundAddressRefused';
  readonly code = 'ERR_OUTBOUND_ADDRESS_REFUSED';
}

/**
 * A create must not hang on a slow resolver; a name that does not resolve in time is let through,
 * since the connect-time check refuses an internal address whenever it shows up.
 */
const RESOLVE_TIMEOUT_MS = 3000;

const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true });

const RANGE_NAMES: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address',
  private: 'a private address',
  uniqueLocal: 'a unique-local address',
  reserved: 'a reserved address',
  ipv4Mapped: 'an IPv4-mapped IPv6 address',
  rfc6145: 'an IPv4-translated IPv6 address',
  rfc6052: 'a NAT64 address',
  '6to4': 'a 6to4 address',
  teredo: 'a Teredo address',
};

/** How an IP address is described when refused ("a loopback address"), or undefined for a public unicast one. */
export function internalAddressKind(address: string): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return 'not an IP address';
  }
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  // The URL parser writes ::ffff:10.0.0.1 as ::ffff:a00:1; name the IPv4 address it stands for.
  if (parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress()) return `${RANGE_NAMES[range]} (of ${parsed.toIPv4Address().toString()})`;
  return RANGE_NAMES[range] ?? `a special-purpose address (${range})`;
}

/** The URL's host as a connection uses it: IPv6 without its brackets; a trailing dot kept (it makes the name absolute). */
function connectHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Why the URL, as written, is not one the service will call, or undefined if it may be. Scheme and
 * credentials always; with address checks on, a literal IP (the URL parser has already turned
 * decimal, hex and octal IPv4 forms into dotted quads) and the names of this machine.
 */
export function outboundUrlRefusal(raw: string, policy: OutboundUrlPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'it is not a URL';
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    return policy.allowHttp ? 'it must be an http or https URL' : 'it must be an https URL';
  }
  if (url.username !== '' || url.password !== '') return 'it must not contain a user name or password';
  if (policy.allowPrivate) return undefined;
  const host = connectHost(url);
  // "localhost." is the same name as "localhost" to a resolver, so trailing dots do not count here.
  const name = host.replace(/\.+$/, '');
  if (name === '') return 'it has no host name';
  if (name === 'localhost' || name.endsWith('.localhost')) return `${host} is this machine`;
  if (net.isIP(host) !== 0) {
    const kind = internalAddressKind(host);
    if (kind) return `${host} is ${kind}`;
  }
  return undefined;
}

/**
 * `outboundUrlRefusal`, and then for a DNS name: refused if ANY of its addresses is internal (which
 * one a connection would pick is not ours to know). A name that does not resolve (now) is not
 * refused: the merchant's DNS may not be live yet, and the connect-time check still applies.
 */
export async function resolvedOutboundUrlRefusal(raw: string, policy: OutboundUrlPolicy): Promise<string | undefined> {
  const written = outboundUrlRefusal(raw, policy);
  if (written !== undefined || policy.allowPrivate) return written;
  const host = connectHost(new URL(raw));
  if (net.isIP(host) !== 0) return undefined;
  let addresses: readonly dns.LookupAddress[];
  let timer: NodeJS.Timeout | undefined;
  try {
    addresses = await Promise.race([
      (policy.resolve ?? systemResolve)(host),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), RESOLVE_TIMEOUT_MS);
      }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
  for (const { address } of addresses) {
    const kind = internalAddressKind(address);
    if (kind) return `${host} resolves to ${address}, ${kind}`;
  }
  return undefined;
}

/**
 * A `lookup` for net/tls connections that resolves the name once, refuses the connection if any
 * address is internal, and hands net exactly the addresses it checked, so nothing is resolved again
 * between the check and the connect.
 */
export function refusingLookup(resolve: Resolve = systemResolve): net.LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        for (const { address } of addresses) {
          const kind = internalAddressKind(address);
          if (kind) return callback(new OutboundAddressRefused(`${hostname} resolves to ${address}, ${kind}`), []);
        }
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : [...addresses];
        if (usable.length === 0) {
          return callback(Object.assign(new Error(`${hostname} has no address${family ? ` of IPv${family}` : ''}`), { code: 'ENOTFOUND' }), []);
        }
        if (options.all) return callback(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };
}

/**
 * An undici dispatcher that applies the address checks when it connects: names through
 * `refusingLookup`, and literal IPs (which net connects to without any lookup) before connecting.
 * A refused connection fails its request with `OutboundAddressRefused`.
 */
export function guardedAgent(policy: Pick<OutboundUrlPolicy, 'resolve'> = {}): Agent {
  const connect = buildConnector({ lookup: refusingLookup(policy.resolve) });
  return new Agent({
    connect(options, callback) {
      if (net.isIP(options.hostname) !== 0) {
        const kind = internalAddressKind(options.hostname);
        if (kind) return callback(new OutboundAddressRefused(`${options.hostname} is ${kind}`), null);
      }
      connect(options, callback);
    },
  });
}
