import type { ApiAnswer } from './apiClient';

export type ErrorKind = 'not_found' | 'csrf' | 'unavailable' | 'rate_limited' | 'failed';

/** An answer the app gives as its own error page (app/views/errorPage.ts), with a stable code in it. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly kind: ErrorKind,
    readonly code: string,
  ) {
    super(`${kind}: ${code}`);
    this.name = 'AppError';
  }
}

/** The API refused the session's key (revoked since sign-in): the session ends and the seller signs in again. */
export class SessionEnded extends Error {
  constructor() {
    super('the merchant key was refused');
    this.name = 'SessionEnded';
  }
}

/** An API answer a page does not handle itself, as the app's answer: never the API's JSON, never a stack. */
export function raise(answer: Extract<ApiAnswer<unknown>, { ok: false }>): never {
  if (answer.status === 401) throw new SessionEnded();
  if (answer.status === 404) throw new AppError(404, 'not_found', answer.error.code);
  if (answer.status === 429) throw new AppError(429, 'rate_limited', answer.error.code);
  if (answer.status >= 500) throw new AppError(503, 'unavailable', answer.error.code);
  throw new AppError(answer.status, 'failed', answer.error.code);
}
