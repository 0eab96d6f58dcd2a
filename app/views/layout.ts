import type { Assets } from '../assets';
import { APP_BASE, type PageContext } from '../context';
import { html, type SafeHtml } from '../../common/html';
import { INTL_LOCALE } from '../i18n';

export interface LayoutOptions {
  context: PageContext;
  assets: Assets;
  title: string;
  body: SafeHtml;
  /** Where the language switch comes back to: this page's own path (a local `/app` path). */
  returnTo: string;
  /** The sale screens load the app's one script; the other pages need none. */
  script?: boolean;
  /** Which bottom-bar entry is this page. */
  current?: 'new' | 'sales';
}

const csrfField = (token: string | undefined) => (token ? html`<input type="hidden" name="_csrf" value="${token}">` : '');

/** The language switch: a small form (CSRF-protected like every POST) naming the other language in that language. */
function languageSwitch({ context, returnTo }: LayoutOptions): SafeHtml | '' {
  const { language } = context.t;
  // Without a session there is no token to post it with (an error page for a stranger).
  if (!context.session) return '';
  return html`<form method="post" action="${APP_BASE}/language" class="lang">
${csrfField(context.session?.csrf)}<input type="hidden" name="return_to" value="${returnTo}">
<button type="submit" name="lang" value="${language.other}" lang="${language.other}" class="link" data-testid="language">${language.otherName}</button>
</form>`;
}

/** The bottom bar of a signed-in screen: big targets where a thumb reaches, sign-out on every screen. */
function bottomBar({ context, current }: LayoutOptions): SafeHtml {
  const { nav } = context.t;
  const entry = (key: 'new' | 'sales', href: string, label: string) =>
    html`<a href="${href}" class="tab"${current === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<nav class="bar" aria-label="${nav.label}">
${entry('new', APP_BASE, nav.newSale)}
${entry('sales', `${APP_BASE}/sales`, nav.sales)}
<form method="post" action="${APP_BASE}/sign-out" class="tab-form">${csrfField(context.session?.csrf)}<button type="submit" class="tab" data-testid="sign-out">${nav.signOut}</button></form>
</nav>`;
}

/** Every page of the app: one stylesheet, at most one script, no inline script or style (the CSP allows none). */
export function layout(options: LayoutOptions): string {
  const { context, assets, title, body, script } = options;
  const { t, locale, session } = context;
  const flash = session?.flash;
  if (session) session.flash = undefined;
  const signedIn = Boolean(session?.merchantKey);
  return html`<!doctype html>
<html lang="${locale}" data-intl="${INTL_LOCALE[locale]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="color-scheme" content="light">
<title>${title} · ${t.appName}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assets.url('app.css')}">
${script ? html`<script type="module" src="${assets.url('sale.js')}"></script>` : ''}
</head>
<body${signedIn ? html` class="with-bar"` : ''}>
<a class="skip" href="#main">${t.skipLink}</a>
<header class="top">
<span class="brand">${t.appName}</span>
${languageSwitch(options)}
</header>
<main id="main" tabindex="-1">
${flash ? html`<p class="flash ${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}" data-testid="flash">${flash.text}</p>` : ''}
${body}
</main>
${signedIn ? bottomBar(options) : ''}
</body>
</html>`.value;
}

export { csrfField };
