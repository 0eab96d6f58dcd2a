import type { Assets } from '../assets';
import { APP_BASE, type PageContext } from '../context';
import type { ErrorKind } from '../errors';
import { html } from '../../common/html';
import { layout } from './layout';

/** The app's error pages: a plain sentence and a way on, with the stable code for support. Never a stack. */
export function errorPage(context: PageContext, assets: Assets, kind: ErrorKind, code: string): string {
  const { errors } = context.t;
  const [title, text] = {
    not_found: [errors.notFound, errors.notFoundText],
    csrf: [errors.csrf, errors.csrfText],
    unavailable: [errors.unavailable, errors.unavailableText],
    rate_limited: [errors.failed, errors.rateLimited],
    failed: [errors.failed, errors.failedText],
  }[kind];
  const body = html`<h1>${title}</h1>
<p data-testid="error-text">${text}</p>
<p class="hint">(<span data-testid="error-code">${code}</span>)</p>
<p><a class="button secondary" href="${APP_BASE}">${errors.back}</a></p>`;
  return layout({ context, assets, title, body, returnTo: APP_BASE });
}
