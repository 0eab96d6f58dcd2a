import type { Response } from 'express';
import { html, SafeHtml } from '../../common/html';

// The emulator's page frame around the escaping template it shares with the payee app (common/html.ts).

const CSS = `
:root { --ink:#1d2330; --muted:#5d6675; --line:#e3e6eb; --bg:#f4f6f9; --brand:#0b5fff; --brand-ink:#fff; --bad:#b3261e; --ok:#17803d; }
* { box-sizing: border-box; }
body { margin:0; font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--ink); background:var(--bg); }
main { max-width:560px; margin:32px auto; padding:0 16px; }
.card { background:#fff; border:1px solid var(--line); border-radius:12px; padding:24px; box-shadow:0 1px 2px rgba(0,0,0,.04); }
.sandbox-banner { font-size:12px; letter-spacing:.04em; text-transform:uppercase; color:var(--muted); text-align:center; margin-bottom:12px; }
h1 { font-size:22px; margin:0 0 4px; }
h2 { font-size:16px; margin:24px 0 8px; }
.muted { color:var(--muted); font-size:14px; }
.logo { max-height:48px; max-width:160px; display:block; margin-bottom:12px; }
table { width:100%; border-collapse:collapse; font-size:14px; }
th, td { text-align:left; padding:8px 4px; border-bottom:1px solid var(--line); vertical-align:top; }
td.num, th.num { text-align:right; white-space:nowrap; }
tfoot td { font-weight:600; font-size:16px; border-bottom:none; }
label { display:block; font-size:13px; color:var(--muted); margin:12px 0 4px; }
input[type=text], input[type=email], input[type=tel] { width:100%; padding:10px 12px; border:1px solid var(--line); border-radius:8px; font:inherit; }
.row { display:flex; gap:12px; } .row > div { flex:1; }
.actions { display:flex; flex-direction:column; gap:8px; margin-top:20px; }
button, .button { appearance:none; border:0; border-radius:8px; padding:12px 16px; font:inherit; font-weight:600; cursor:pointer; text-align:center; text-decoration:none; }
.primary { background:var(--brand); color:var(--brand-ink); }
.secondary { background:#fff; color:var(--ink); border:1px solid var(--line); }
.danger { background:#fff; color:var(--bad); border:1px solid #f0c7c4; }
.banks { display:grid; grid-template-columns:1fr 1fr; gap:8px; margin-top:12px; }
.status { display:inline-block; padding:4px 10px; border-radius:999px; font-size:13px; font-weight:600; background:#eef1f5; }
.status.ok { background:#e4f4e9; color:var(--ok); } .status.bad { background:#fbe9e7; color:var(--bad); }
.error { color:var(--bad); background:#fbe9e7; border-radius:8px; padding:8px 12px; margin-top:12px; font-size:14px; }
.qr { display:flex; justify-content:center; margin:16px 0; } .qr svg { width:220px; height:220px; }
.inline-form { margin:0; }
`;

export interface PageOptions {
  title: string;
  lang?: string;
  body: SafeHtml;
}

export function page({ title, lang = 'sv', body }: PageOptions): string {
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${new SafeHtml(CSS)}</style>
</head>
<body>
<main>
<div class="sandbox-banner">Ping Payments sandbox · no real money moves</div>
${body}
</main>
</body>
</html>`.value;
}

/**
 * Sends a page. Hosted checkouts are embedded in iframes by merchants, so framing is allowed
 * explicitly (no X-Frame-Options); no caching, since every page shows live state.
 */
export function sendPage(res: Response, status: number, content: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "frame-ancestors *; default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:",
      'Referrer-Policy': 'no-referrer',
    })
    .send(content);
}

export function messagePage(res: Response, status: number, title: string, message: string, testId = 'message'): void {
  sendPage(res, status, page({ title, body: html`<div class="card"><h1>${title}</h1><p data-testid="${testId}">${message}</p></div>` }));
}
