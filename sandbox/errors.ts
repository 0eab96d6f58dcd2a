/**
 * Ping's two error body shapes (docs/ping-contract.md §6). The Payments API wraps its errors in
 * `errors[]`; the Payment Links SDK models a flat object, which is unconfirmed, hence
 * `LinksErrorShape` is a switch.
 */

export interface ErrorDetail {
  error: string;
  description: string;
  property?: string;
}

export type ErrorShape = 'errors' | 'flat';
export type LinksErrorShape = ErrorShape;

export class PingError extends Error {
  readonly details: ErrorDetail[];

  constructor(
    readonly status: number,
    details: ErrorDetail | ErrorDetail[],
  ) {
    const list = Array.isArray(details) ? details : [details];
    super(list.map((d) => d.description).join('; '));
    this.name = 'PingError';
    this.details = list;
  }
}

export function notFound(what: string, id: string): PingError {
  return new PingError(404, { error: 'not_found', description: `${what} ${id} was not found` });
}

export function forbidden(error: string, description: string): PingError {
  return new PingError(403, { error, description });
}

export function unprocessable(error: string, description: string, property?: string): PingError {
  return new PingError(422, { error, description, ...(property ? { property } : {}) });
}

/** With the flat shape only one error fits; the first is the one a person fixes first. */
export function errorBody(shape: ErrorShape, details: ErrorDetail[]): unknown {
  if (shape === 'errors') return { errors: details };
  return details[0] ?? { error: 'unknown_error', description: 'Unknown error' };
}
