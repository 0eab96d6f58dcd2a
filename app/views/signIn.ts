import type { Assets } from '../assets';
import { APP_BASE, type PageContext } from '../context';
import { html } from '../../common/html';
import { csrfField, layout } from './layout';

/**
 * The sign-in form: the merchant key once, in a password field the browser neither shows nor
 * autofills. The key is never echoed back into the page, not even after a failed attempt.
 */
export function signInPage(context: PageContext, assets: Assets, message?: { kind: 'error' | 'ok'; text: string }): string {
  const { signIn } = context.t;
  const error = message?.kind === 'error';
  const body = html`<h1>${signIn.title}</h1>
<p>${signIn.intro}</p>
${message ? html`<p class="flash ${message.kind}" id="key-message" role="${error ? 'alert' : 'status'}" data-testid="sign-in-message">${message.text}</p>` : ''}
<form method="post" action="${APP_BASE}/sign-in" class="stack">
${csrfField(context.session?.csrf)}
<label for="key">${signIn.key}</label>
<input id="key" name="key" type="password" autocomplete="off" autocapitalize="off" autocorrect="off" spellcheck="false" required aria-describedby="key-hint${message ? ' key-message' : ''}"${error ? html` aria-invalid="true"` : ''}>
<p id="key-hint" class="hint">${signIn.keyHint}</p>
<div class="actions"><button type="submit" class="primary big" data-testid="sign-in">${signIn.submit}</button></div>
</form>`;
  return layout({ context, assets, title: signIn.title, body, returnTo: `${APP_BASE}/sign-in` });
}
