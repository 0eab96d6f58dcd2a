/** One answer the app gave, as a browser would have seen it: kept to search every byte for secrets. */
export interface RecordedResponse {
  method: string;
  url: string;
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

/**
 * A browser without a browser, for the payee app's security tests: fetch with a cookie jar, no
 * redirects followed on its own (each is a recorded answer, its Location included), and every
 * answer kept in `log`.
 */
export class PayeeAppClient {
  readonly jar = new Map<string, string>();
  readonly log: RecordedResponse[] = [];

  constructor(
    readonly baseUrl: string,
    private readonly defaultHeaders: Record<string, string> = { 'accept-language': 'sv-SE,sv;q=0.9' },
  ) {}

  cookieHeader(): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(method: string, path: string, options: { form?: Record<string, string | string[]>; headers?: Record<string, string>; body?: string } = {}): Promise<RecordedResponse & { setCookies: string[]; location: string | null }> {
    const headers: Record<string, string> = { ...this.defaultHeaders, ...options.headers };
    if (this.jar.size > 0 && !('cookie' in headers)) headers.cookie = this.cookieHeader();
    let body = options.body;
    if (options.form) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(options.form)) for (const v of [value].flat()) params.append(name, v);
      body = params.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    const setCookies = res.headers.getSetCookie();
    for (const cookie of setCookies) {
      const [pair = ''] = cookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/;\s*max-age=0/i.test(cookie) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const recorded = { method, url: `${this.baseUrl}${path}`, status: res.status, headers: [...res.headers], body: text };
    this.log.push(recorded);
    return { ...recorded, setCookies, location: res.headers.get('location') };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, { headers });
  }

  post(path: string, form: Record<string, string | string[]>, headers?: Record<string, string>) {
    return this.request('POST', path, { form, headers });
  }
}

/** The synchronizer token of a page's forms (every form of a page carries the same one). */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no CSRF token in the page: ${html.slice(0, 300)}`);
  return match[1]!;
}

/** A hidden field's value in a page. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no field ${name} in the page`);
  return match[1]!;
}
