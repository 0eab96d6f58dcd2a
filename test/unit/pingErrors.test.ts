import { isRetryableStatus, parsePingErrorBody, PingApiError } from '../../ping';
import { httpError, parseRetryAfter } from '../../ping/errors';

/** Error-body parsing and retry classification, without a server. */

describe('parsePingErrorBody', () => {
  test('the Payments API shape, several errors, null description and property', () => {
    const body = JSON.stringify({
      errors: [
        { error: 'callback_url_not_found', description: null },
        { error: 'null_value', description: 'null value where string expected', property: 'open_banking.success_url', additional_information: { max: 3 } },
      ],
    });
    expect(parsePingErrorBody(body)).toEqual({
      errors: [
        { error: 'callback_url_not_found', description: undefined, property: undefined, additional_information: undefined },
        { error: 'null_value', description: 'null value where string expected', property: 'open_banking.success_url', additional_information: { max: 3 } },
      ],
    });
  });

  test('the flat Payment Links shape', () => {
    expect(parsePingErrorBody('{"error":"operation_forbidden","description":"already cancelled"}').errors).toEqual([
      { error: 'operation_forbidden', description: 'already cancelled', property: undefined, additional_information: undefined },
    ]);
  });

  test("ASP.NET's validation body, which a .NET service answers before its own code runs", () => {
    const body = JSON.stringify({ title: 'One or more validation errors occurred.', status: 400, errors: { total_amount: ['must be an integer'], currency: [] } });
    expect(parsePingErrorBody(body).errors).toEqual([
      { error: 'validation_error', description: 'must be an integer', property: 'total_amount' },
      { error: 'validation_error', description: 'One or more validation errors occurred.', property: 'currency' },
    ]);
  });

  test('anything else is kept raw (truncated), and an empty body is just empty', () => {
    expect(parsePingErrorBody('upstream connect error')).toEqual({ errors: [], rawBody: 'upstream connect error' });
    expect(parsePingErrorBody('{"message":"no"}')).toEqual({ errors: [], rawBody: '{"message":"no"}' });
    expect(parsePingErrorBody('{"errors":[{"description":"no code"}]}')).toEqual({ errors: [], rawBody: '{"errors":[{"description":"no code"}]}' });
    expect(parsePingErrorBody('x'.repeat(5000)).rawBody).toHaveLength(2000);
    expect(parsePingErrorBody('')).toEqual({ errors: [] });
  });
});

describe('retry classification', () => {
  test.each([
    [400, false],
    [404, false],
    [422, false],
    [408, true],
    [429, true],
    [500, true],
    [504, true],
  ])('HTTP %i retryable: %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
    expect(httpError('getPayment', status, '').retryable).toBe(retryable);
  });

  test('Retry-After in seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  test('Retry-After is only read where it means "come back later"', () => {
    expect(httpError('getPayment', 503, '', '5').retryAfterMs).toBe(5000);
    expect(httpError('getPayment', 400, '', '5').retryAfterMs).toBeUndefined();
  });
});

describe('PingApiError', () => {
  test('carries the endpoint, status, codes and the first description and property that exist', () => {
    const err = httpError('createPaymentLink', 403, '{"errors":[{"error":"a"},{"error":"b","description":"second","property":"items"}]}');
    expect(err).toBeInstanceOf(PingApiError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('PingApiError');
    expect(err.endpoint).toBe('createPaymentLink');
    expect(err.status).toBe(403);
    expect(err.code).toBe('a');
    expect(err.codes).toEqual(['a', 'b']);
    expect(err.description).toBe('second');
    expect(err.property).toBe('items');
    expect(err.message).toBe('Ping createPaymentLink failed with HTTP 403: a');
  });

  test('an error body without a code falls back to http_error and says what the server said', () => {
    const err = httpError('getPaymentLink', 500, 'Internal Server Error');
    expect(err.code).toBe('http_error');
    expect(err.message).toContain('Internal Server Error');
  });
});
