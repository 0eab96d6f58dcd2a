import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Locale } from './i18n';

/** What the app remembers of a sale it made, to prefill the send forms (the payment resource has no customer). */
export interface SaleContact {
  phone?: string;
  email?: string;
}

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

export interface Session {
  /** The synchronizer token every POST form of this session carries (`_csrf`). */
  readonly csrf: string;
  /** Set once signed in; a pre-session (the sign-in form's) has neither. Never leaves this process. */
  readonly merchantKey?: string;
  readonly merchantId?: string;
  locale?: Locale;
  /** One message for the next page, after a redirect. */
  flash?: Flash;
  /** The sales this session made, newest last (at most SALES_REMEMBERED). */
  readonly sales: Map<string, SaleContact>;
  expiresAt: number;
}

export interface SessionOptions {
  /** A session unused for this long is gone; default 12 h. */
  idleMs?: number;
  /** A pre-session (the sign-in form's) unused for this long is gone; default 1 h. */
  anonymousIdleMs?: number;
  /** At most this many signed-in sessions (and as many pre-sessions); past it the least recently used goes. Default 10 000. */
  maxSessions?: number;
  now?: () => number;
}

const SALES_REMEMBERED = 50;
const SWEEP_EVERY_MS = 60_000;

/** 256 bits from the OS's CSPRNG, base64url. */
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** The map is keyed by the id's SHA-256: a lookup's timing says nothing about the ids held. */
const keyOf = (id: string): string => createHash('sha256').update(id).digest('base64url');

export function sameToken(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string' || a.length === 0) return false;
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/**
 * The app's sessions: server-side, in this API process's memory. The cookie holds only a random id;
 * the merchant key stays here. Signed-in sessions and pre-sessions are held apart, each capped, so a
 * flood of sign-in pages cannot push out a signed-in seller. Each map is in least-recently-used
 * order (a use moves the entry to the end), so eviction takes the first entry.
 */
export class SessionStore {
  private readonly signedIn = new Map<string, Session>();
  private readonly anonymous = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly anonymousIdleMs: number;
  private readonly max: number;
  private readonly now: () => number;
  private lastSweep = 0;

  constructor(options: SessionOptions = {}) {
    this.idleMs = options.idleMs ?? 12 * 3600_000;
    this.anonymousIdleMs = options.anonymousIdleMs ?? 3600_000;
    this.max = options.maxSessions ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The live session of this id, its idle expiry pushed back; undefined if unknown or expired. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const key = keyOf(id);
    for (const [map, idle] of [
      [this.signedIn, this.idleMs],
      [this.anonymous, this.anonymousIdleMs],
    ] as const) {
      const session = map.get(key);
      if (!session) continue;
      map.delete(key);
      if (session.expiresAt <= this.now()) return undefined;
      session.expiresAt = this.now() + idle;
      map.set(key, session);
      return session;
    }
    return undefined;
  }

  /** Whether the session is still live, without counting this as a use (an open event stream asks every poll). */
  peek(id: string | undefined): boolean {
    if (!id) return false;
    const key = keyOf(id);
    const session = this.signedIn.get(key) ?? this.anonymous.get(key);
    return session !== undefined && session.expiresAt > this.now();
  }

  /** A new pre-session: a CSRF token for the sign-in form and the language switch, nothing else. */
  createAnonymous(locale?: Locale): { id: string; session: Session } {
    return this.add(this.anonymous, this.anonymousIdleMs, { csrf: randomToken(), locale, sales: new Map() });
  }

  /** A new signed-in session under a new id, with a new CSRF token (the pre-session's id is not reused). */
  createSignedIn(merchantKey: string, merchantId: string, locale?: Locale): { id: string; session: Session } {
    return this.add(this.signedIn, this.idleMs, { csrf: randomToken(), merchantKey, merchantId, locale, sales: new Map() });
  }

  delete(id: string | undefined): void {
    if (!id) return;
    const key = keyOf(id);
    this.signedIn.delete(key);
    this.anonymous.delete(key);
  }

  get size(): { signedIn: number; anonymous: number } {
    return { signedIn: this.signedIn.size, anonymous: this.anonymous.size };
  }

  static remember(session: Session, paymentId: string, contact: SaleContact): void {
    session.sales.delete(paymentId);
    session.sales.set(paymentId, contact);
    while (session.sales.size > SALES_REMEMBERED) session.sales.delete(session.sales.keys().next().value!);
  }

  private add(map: Map<string, Session>, idle: number, fields: Omit<Session, 'expiresAt'>): { id: string; session: Session } {
    this.sweep();
    while (map.size >= this.max) map.delete(map.keys().next().value!);
    const id = randomToken();
    const session: Session = { ...fields, expiresAt: this.now() + idle };
    map.set(keyOf(id), session);
    return { id, session };
  }

  /** Drops expired sessions, at most once a minute (on a create; no timer keeps the process awake). */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const map of [this.signedIn, this.anonymous]) {
      for (const [key, session] of map) if (session.expiresAt <= now) map.delete(key);
    }
  }
}
