import type dns from 'node:dns';
import {
  internalAddressKind,
  outboundUrlRefusal,
  refusingLookup,
  resolvedOutboundUrlRefusal,
  type OutboundUrlPolicy,
  type Resolve,
} from '../../common/outboundUrl';

/**
 * The outbound URL policy (common/outboundUrl.ts) on its own: every form of an internal address a
 * caller can write, names that resolve inside, and what stays allowed. DNS is a stand-in resolver
 * per test, so nothing here depends on the machine's network.
 */

const PUBLIC_V4 = '93.184.215.14';
const PUBLIC_V6 = '2606:2800:21f:cb07:6820:80da:af6b:8b2c';

/** A resolver that knows only these names. */
function resolver(names: Record<string, string[]>): Resolve & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    const addresses = names[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

const strict = (resolve: Resolve = resolver({})): OutboundUrlPolicy => ({ allowHttp: false, allowPrivate: false, resolve });
/** As in development: plain http allowed, addresses still checked (so each row fails on its address, not its scheme). */
const httpOk = (resolve: Resolve = resolver({})): OutboundUrlPolicy => ({ allowHttp: true, allowPrivate: false, resolve });

describe('outbound URL policy', () => {
  describe('refuses internal addresses written into the URL', () => {
    it.each([
      ['http://127.0.0.1:22/', 'a loopback address'],
      ['http://169.254.169.254/latest/meta-data/', 'a link-local address'],
      ['http://[::1]:3000/ping-orchestrator/events', 'a loopback address'],
      ['http://10.0.0.1/hook', 'a private address'],
      ['http://172.16.5.4/hook', 'a private address'],
      ['http://192.168.1.1/hook', 'a private address'],
      // Decimal, hex and octal IPv4: the URL parser turns each into 127.0.0.1 before the check.
      ['http://0x7f000001/', 'a loopback address'],
      ['http://0177.0.0.1/', 'a loopback address'],
      ['http://2130706433/', 'a loopback address'],
      ['http://0x7f.1/', 'a loopback address'],
      ['http://100.64.0.1/', 'a carrier-grade NAT address'],
      ['http://224.0.0.1/', 'a multicast address'],
      ['http://255.255.255.255/', 'the broadcast address'],
      ['http://0.0.0.0/', 'an unspecified address'],
      ['http://0/', 'an unspecified address'],
      ['http://192.0.2.1/', 'a reserved address'],
      ['http://[fe80::1]/', 'a link-local address'],
      ['http://[fc00::1]/', 'a unique-local address'],
      ['http://[fd12:3456::1]/', 'a unique-local address'],
      ['http://[::ffff:10.0.0.1]/', 'an IPv4-mapped IPv6 address (of 10.0.0.1)'],
      ['http://[::ffff:127.0.0.1]/', 'an IPv4-mapped IPv6 address (of 127.0.0.1)'],
      ['http://[::]/', 'an unspecified address'],
      ['http://[ff02::1]/', 'a multicast address'],
      ['http://[64:ff9b::a00:1]/', 'a NAT64 address'],
      ['http://[2002:a00:1::]/', 'a 6to4 address'],
      ['https://127.0.0.1/', 'a loopback address'],
    ])('%s: %s', async (url, kind) => {
      const resolve = resolver({});
      const refusal = outboundUrlRefusal(url, httpOk(resolve));
      expect(refusal).toContain(kind);
      // The async check says the same and resolves nothing: a literal address has no name to look up.
      expect(await resolvedOutboundUrlRefusal(url, httpOk(resolve))).toBe(refusal);
      expect(resolve.asked).toEqual([]);
    });
  });

  it.each(['http://localhost/x', 'http://localhost./x', 'http://LOCALHOST:3000/', 'http://api.localhost/hook', 'http://a.b.localhost./', 'https://localhost../'])(
    'refuses the names of this machine without asking DNS: %s',
    async (url) => {
      const resolve = resolver({ localhost: [PUBLIC_V4] });
      expect(outboundUrlRefusal(url, httpOk(resolve))).toMatch(/localhost\.*( is this machine)$/);
      expect(await resolvedOutboundUrlRefusal(url, httpOk(resolve))).toMatch(/is this machine$/);
      expect(resolve.asked).toEqual([]);
    },
  );

  it('refuses other schemes, plain http unless allowed, and credentials', () => {
    expect(outboundUrlRefusal('ftp://shop.example/events', strict())).toBe('it must be an https URL');
    expect(outboundUrlRefusal('ftp://shop.example/events', httpOk())).toBe('it must be an http or https URL');
    expect(outboundUrlRefusal('file:///etc/passwd', httpOk())).toBe('it must be an http or https URL');
    expect(outboundUrlRefusal('gopher://127.0.0.1:6379/_INFO', httpOk())).toBe('it must be an http or https URL');
    expect(outboundUrlRefusal('http://shop.example/events', strict())).toBe('it must be an https URL');
    expect(outboundUrlRefusal('http://shop.example/events', httpOk())).toBeUndefined();
    expect(outboundUrlRefusal('https://user:secret@shop.example/events', strict())).toBe('it must not contain a user name or password');
    expect(outboundUrlRefusal('https://user@shop.example/events', strict())).toBe('it must not contain a user name or password');
    expect(outboundUrlRefusal('not a url', strict())).toBe('it is not a URL');
    expect(outboundUrlRefusal('https://./', strict())).toBe('it has no host name');
  });

  it('allows a public https URL whose name resolves to public addresses', async () => {
    const resolve = resolver({ 'shop.example': [PUBLIC_V4, PUBLIC_V6] });
    expect(outboundUrlRefusal('https://shop.example/ping-orchestrator/events', strict(resolve))).toBeUndefined();
    expect(await resolvedOutboundUrlRefusal('https://shop.example/ping-orchestrator/events', strict(resolve))).toBeUndefined();
    expect(resolve.asked).toEqual(['shop.example']);
    expect(await resolvedOutboundUrlRefusal(`https://${PUBLIC_V4}/events`, strict(resolve))).toBeUndefined();
    expect(await resolvedOutboundUrlRefusal(`https://[${PUBLIC_V6}]:8443/events`, strict(resolve))).toBeUndefined();
  });

  it('refuses a name that resolves to an internal address, and one where any of several addresses is internal', async () => {
    const resolve = resolver({
      'metadata.shop.example': ['169.254.169.254'],
      'rebind.shop.example': ['127.0.0.1'],
      'mixed.shop.example': [PUBLIC_V4, '10.1.2.3', PUBLIC_V6],
      'six.shop.example': [PUBLIC_V4, 'fd00::5'],
    });
    expect(outboundUrlRefusal('https://metadata.shop.example/', strict(resolve))).toBeUndefined(); // as written it is a name like any other
    expect(await resolvedOutboundUrlRefusal('https://metadata.shop.example/latest/meta-data/', strict(resolve))).toBe(
      'metadata.shop.example resolves to 169.254.169.254, a link-local address',
    );
    expect(await resolvedOutboundUrlRefusal('https://rebind.shop.example/', strict(resolve))).toBe('rebind.shop.example resolves to 127.0.0.1, a loopback address');
    expect(await resolvedOutboundUrlRefusal('https://mixed.shop.example/hook', strict(resolve))).toBe('mixed.shop.example resolves to 10.1.2.3, a private address');
    expect(await resolvedOutboundUrlRefusal('https://six.shop.example/hook', strict(resolve))).toBe('six.shop.example resolves to fd00::5, a unique-local address');
  });

  it('resolves the name as the connection will, trailing dot included', async () => {
    const resolve = resolver({ 'shop.example.': ['10.0.0.7'], 'shop.example': [PUBLIC_V4] });
    expect(await resolvedOutboundUrlRefusal('https://shop.example./hook', strict(resolve))).toBe('shop.example. resolves to 10.0.0.7, a private address');
  });

  it('lets a name through that does not resolve (yet): the check at delivery still applies', async () => {
    const resolve = resolver({});
    expect(await resolvedOutboundUrlRefusal('https://not-yet.shop.example/hook', strict(resolve))).toBeUndefined();
    expect(resolve.asked).toEqual(['not-yet.shop.example']);
  });

  it('with ALLOW_PRIVATE_WEBHOOK_URLS checks no address and resolves nothing; the scheme still counts', async () => {
    const resolve = resolver({});
    const allowPrivate: OutboundUrlPolicy = { allowHttp: false, allowPrivate: true, resolve };
    expect(await resolvedOutboundUrlRefusal('https://127.0.0.1:3000/events', allowPrivate)).toBeUndefined();
    expect(await resolvedOutboundUrlRefusal('https://localhost/events', allowPrivate)).toBeUndefined();
    expect(await resolvedOutboundUrlRefusal('https://internal.shop.example/events', allowPrivate)).toBeUndefined();
    expect(await resolvedOutboundUrlRefusal('http://127.0.0.1:3000/events', allowPrivate)).toBe('it must be an https URL');
    expect(await resolvedOutboundUrlRefusal('https://u:p@127.0.0.1/events', allowPrivate)).toBe('it must not contain a user name or password');
    expect(resolve.asked).toEqual([]);
  });

  it('classes addresses by ipaddr.js: only unicast passes', () => {
    expect(internalAddressKind(PUBLIC_V4)).toBeUndefined();
    expect(internalAddressKind(PUBLIC_V6)).toBeUndefined();
    expect(internalAddressKind('::ffff:8.8.8.8')).toBe('an IPv4-mapped IPv6 address (of 8.8.8.8)');
    expect(internalAddressKind('2001:db8::1')).toBe('a reserved address');
    expect(internalAddressKind('198.18.0.1')).toBe('a reserved address');
    expect(internalAddressKind('2001::1')).toBe('a Teredo address');
    expect(internalAddressKind('not-an-address')).toBe('not an IP address');
  });

  describe('the connect-time lookup', () => {
    const lookup = (resolve: Resolve, hostname: string, options: dns.LookupOptions) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: string | dns.LookupAddress[]; family?: number }>((done) =>
        refusingLookup(resolve)(hostname, options, (err, address, family) => done({ err, address, family })),
      );

    it('hands net the checked addresses, as one or all, of the family asked for', async () => {
      const resolve = resolver({ 'shop.example': [PUBLIC_V6, PUBLIC_V4] });
      expect(await lookup(resolve, 'shop.example', { all: true })).toEqual({
        err: null,
        address: [
          { address: PUBLIC_V6, family: 6 },
          { address: PUBLIC_V4, family: 4 },
        ],
        family: undefined,
      });
      expect(await lookup(resolve, 'shop.example', {})).toEqual({ err: null, address: PUBLIC_V6, family: 6 });
      expect(await lookup(resolve, 'shop.example', { family: 4 })).toEqual({ err: null, address: PUBLIC_V4, family: 4 });
    });

    it('fails the connection when any address is internal, and passes resolver errors on', async () => {
      const resolve = resolver({ 'rebind.shop.example': [PUBLIC_V4, '127.0.0.1'] });
      const refused = await lookup(resolve, 'rebind.shop.example', { all: true });
      expect(refused.err).toMatchObject({ name: 'OutboundAddressRefused', code: 'ERR_OUTBOUND_ADDRESS_REFUSED', message: 'rebind.shop.example resolves to 127.0.0.1, a loopback address' });
      expect((await lookup(resolve, 'gone.shop.example', {})).err).toMatchObject({ code: 'ENOTFOUND' });
    });
  });
});
