/**
 * What .NET's `Guid` parser takes in its usual form: any 8-4-4-4-12 hex string, whatever its version
 * and variant bits, the zero UUID included (docs/ping-contract.md §0).
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}
