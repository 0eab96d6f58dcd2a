import { merchantId } from '../../api/schemas/common';
import { loadConfig } from '../../common/config/processConfig';
import { ConfigError } from '../../common/config/values';
import { PING_GUID_PATTERN } from '../../domain/ids';

/**
 * Ping's ids are .NET Guids (docs/ping-contract.md §0): any 8-4-4-4-12 hex string, whatever its
 * version and variant digits. The one pattern in domain/ids.ts decides for the tenant id in the
 * configuration and for the API's merchant ids.
 */

const GUIDS = [
  '11111111-2222-3333-4444-555555555555', // version 3 digit, variant 4 digit: no RFC 4122 UUID
  '00000000-0000-0000-0000-000000000000',
  '3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a7b',
  'ABCDEF01-2345-6789-ABCD-EF0123456789',
  'abcdef01-2345-6789-ABCD-ef0123456789',
];

const NOT_GUIDS = [
  '',
  'not-a-uuid',
  '11111111222233334444555555555555', // no hyphens
  '{11111111-2222-3333-4444-555555555555}', // .NET's braced form: not what Ping sends
  '11111111-2222-3333-4444-55555555555', // one digit short
  '11111111-2222-3333-4444-5555555555555',
  '1111111g-2222-3333-4444-555555555555',
  '11111111-2222-3333-4444-555555555555\n',
  ' 11111111-2222-3333-4444-555555555555',
  '11111111_2222_3333_4444_555555555555',
];

describe('PING_GUID_PATTERN', () => {
  it.each(GUIDS)('takes %j', (id) => {
    expect(PING_GUID_PATTERN.test(id)).toBe(true);
  });

  it.each(NOT_GUIDS)('refuses %j', (id) => {
    expect(PING_GUID_PATTERN.test(id)).toBe(false);
  });

  it('means the same without its flags, as an OpenAPI pattern does', () => {
    expect(PING_GUID_PATTERN.flags).toBe('');
    const fromSource = new RegExp(PING_GUID_PATTERN.source);
    for (const id of [...GUIDS, ...NOT_GUIDS]) expect([id, fromSource.test(id)]).toEqual([id, PING_GUID_PATTERN.test(id)]);
  });
});

describe('PING_TENANT_ID', () => {
  it.each(GUIDS)('takes %j', (id) => {
    expect(loadConfig({ PING_TENANT_ID: id }).ping.tenantId).toBe(id);
  });

  it.each(['not-a-uuid', '11111111-2222-3333-4444-55555555555', '{11111111-2222-3333-4444-555555555555}'])('refuses %j, saying what a Ping id is', (id) => {
    expect(() => loadConfig({ PING_TENANT_ID: id })).toThrow(ConfigError);
    expect(() => loadConfig({ PING_TENANT_ID: id })).toThrow(/PING_TENANT_ID must be a Ping id \(8-4-4-4-12 hex digits\)/);
  });
});

describe("the API's merchant_id", () => {
  it.each(GUIDS)('takes %j as it is', (id) => {
    expect(merchantId.parse(id)).toBe(id);
  });

  it.each<unknown>([...NOT_GUIDS, 42, null, undefined, ['11111111-2222-3333-4444-555555555555']])('refuses %j, saying what a Ping id is', (value) => {
    const result = merchantId.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(['must be a Ping id (8-4-4-4-12 hex digits)']);
  });
});
