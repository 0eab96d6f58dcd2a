import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { RequestHandler } from 'express';

interface Asset {
  body: Buffer;
  gzipped: Buffer;
  type: string;
}

const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/**
 * `app/public` next to this file (running from source, as `npm start` does), or in the source tree
 * next to `dist/` (running compiled from a checkout). tsc does not copy it into `dist/`: an image
 * that runs only `dist/` needs it copied to `dist/app/public` (docs/payee-app.md).
 */
export function publicDir(): string {
  const candidates = [path.join(__dirname, 'public'), path.resolve(__dirname, '..', '..', 'app', 'public')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'app.css')));
  if (!found) throw new Error(`the payee app's assets are missing: looked in ${candidates.join(', ')}`);
  return found;
}

export interface Assets {
  /** The URL of `app.css`, `sale.js`…: the name with its content's hash, so it can be cached for a year. */
  url(name: string): string;
  /** Bytes of an asset as served (before compression), for tests and docs. */
  source(name: string): Buffer;
  handler: RequestHandler;
}

/**
 * The app's CSS and JavaScript, read once at start and served from memory under
 * `/app/assets/<name>.<hash>.<ext>` with `Cache-Control: immutable` for a year (a new version is a
 * new URL), gzipped for browsers that take it. Nothing is fetched from anywhere else at run time.
 */
export function loadAssets(dir = publicDir(), mountPath = '/app/assets'): Assets {
  const byUrlName = new Map<string, Asset>();
  const urls = new Map<string, string>();
  const sources = new Map<string, Buffer>();
  for (const name of readdirSync(dir).sort()) {
    const ext = path.extname(name);
    const type = TYPES[ext];
    if (!type) continue;
    const body = readFileSync(path.join(dir, name));
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const urlName = `${path.basename(name, ext)}.${hash}${ext}`;
    byUrlName.set(urlName, { body, gzipped: gzipSync(body, { level: 9 }), type });
    urls.set(name, `${mountPath}/${urlName}`);
    sources.set(name, body);
  }
  return {
    url(name) {
      const url = urls.get(name);
      if (!url) throw new Error(`no asset ${name}`);
      return url;
    },
    source(name) {
      const body = sources.get(name);
      if (!body) throw new Error(`no asset ${name}`);
      return body;
    },
    handler(req, res, next) {
      const asset = byUrlName.get(path.posix.basename(req.path));
      if (!asset || req.path !== `/${path.posix.basename(req.path)}` || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
      const gzip = /\bgzip\b/.test(req.get('accept-encoding') ?? '');
      const body = gzip ? asset.gzipped : asset.body;
      res.set({ 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=31536000, immutable', Vary: 'Accept-Encoding', 'Content-Length': String(body.length) });
      if (gzip) res.set('Content-Encoding', 'gzip');
      res.status(200).end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
