import type http from 'node:http';
import type { InboxMessage, InboxStore } from './inboxStore';

/**
 * The inbox's read side. Plain node:http: six routes do not need express, and a dev tool with
 * fewer moving parts starts faster in every test file.
 */

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function notFound(res: http.ServerResponse, message: string): void {
  sendJson(res, 404, { error: 'not_found', message });
}

/** A header-safe ASCII file name; the UTF-8 original goes in filename* (RFC 6266). */
function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

// Mail content is whatever someone sent: rendered HTML and attachments must not run script on our origin.
const SANDBOX_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";

function listPage(messages: InboxMessage[]): string {
  const rows = messages
    .slice()
    .reverse()
    .map((m) => {
      const id = encodeURIComponent(m.id);
      const attachments = m.attachments
        .map((a, i) => `<a href="/messages/${id}/attachments/${i}">${escapeHtml(a.filename)}</a> (${a.size} B)`)
        .join('<br>');
      return `<tr>
  <td>${escapeHtml(m.received_at)}</td>
  <td>${escapeHtml(m.from)}</td>
  <td>${escapeHtml(m.to.join(', '))}</td>
  <td><a href="/messages/${id}/html">${escapeHtml(m.subject || '(no subject)')}</a>
    <details><summary>text</summary><pre>${escapeHtml(m.text)}</pre></details></td>
  <td>${attachments}</td>
  <td><a href="/messages/${id}">json</a> <a href="/messages/${id}/raw">raw</a></td>
</tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Dev inbox (${messages.length})</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}pre{white-space:pre-wrap}</style>
</head><body>
<h1>Dev inbox</h1>
<p>${messages.length} message(s), newest first; this page reloads every 5 seconds. JSON: <a href="/messages">/messages</a>.</p>
<table><thead><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th><th>Attachments</th><th></th></tr></thead>
<tbody>
${rows || '<tr><td colspan="6">No messages yet.</td></tr>'}
</tbody></table>
</body></html>`;
}

export function createInboxHandler(store: InboxStore): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://inbox');
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return sendJson(res, 400, { error: 'bad_request', message: 'Malformed percent-encoding in the path' });
    }
    const method = req.method ?? 'GET';

    if (url.pathname === '/healthz' && method === 'GET') return sendJson(res, 200, { status: 'ok' });

    if (url.pathname === '/' && method === 'GET') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      });
      return void res.end(listPage(store.list()));
    }

    if (parts[0] !== 'messages') return notFound(res, `No route for ${method} ${url.pathname}`);

    if (parts.length === 1) {
      if (method === 'GET') {
        const to = url.searchParams.get('to') ?? undefined;
        const subject = url.searchParams.get('subject') ?? undefined;
        return sendJson(res, 200, store.list({ to, subject }));
      }
      if (method === 'DELETE') {
        store.clear();
        return void res.writeHead(204).end();
      }
      return void res.writeHead(405, { allow: 'GET, DELETE' }).end();
    }

    if (method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
    const stored = store.get(parts[1]);
    if (!stored) return notFound(res, `No message ${parts[1]}`);

    if (parts.length === 2) return sendJson(res, 200, stored.message);

    if (parts.length === 3 && parts[2] === 'raw') {
      return void res.writeHead(200, { 'content-type': 'message/rfc822', 'content-security-policy': SANDBOX_CSP }).end(stored.raw);
    }

    if (parts.length === 3 && parts[2] === 'html') {
      const html = stored.message.html || `<pre>${escapeHtml(stored.message.text)}</pre>`;
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': SANDBOX_CSP }).end(html);
    }

    if (parts.length === 4 && parts[2] === 'attachments') {
      const index = /^\d+$/.test(parts[3]) ? Number(parts[3]) : -1;
      const meta = stored.message.attachments[index];
      if (!meta) return notFound(res, `Message ${parts[1]} has no attachment ${parts[3]}`);
      return void res
        .writeHead(200, {
          'content-type': meta.content_type,
          'content-length': String(meta.size),
          // PDFs open in the browser for a person; anything else downloads.
          'content-disposition': contentDisposition(meta.content_type === 'application/pdf' ? 'inline' : 'attachment', meta.filename),
          'content-security-policy': SANDBOX_CSP,
          'x-content-type-options': 'nosniff',
        })
        .end(stored.attachmentContents[index]);
    }

    return notFound(res, `No route for ${method} ${url.pathname}`);
  };
}
