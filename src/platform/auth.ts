import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Passwords as scrypt hashes (N = 2^15, r = 8, p = 1, 16-byte salt), stored as
 * `scrypt$N$r$p$salt$hash`; session ids and API tokens are random and kept only as SHA-256 hashes,
 * so a copy of the database opens no account.
 */

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY = 32;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY, { N: n, r, p, maxmem: 256 * n * r }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const want = Buffer.from(parts[5], 'base64url');
  const got = await derive(password, Buffer.from(parts[4], 'base64url'), n, r, p);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** A fresh secret: session ids, CSRF tokens and API tokens (prefixed so a leaked one is recognisable). */
export function secret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Failed logins per key (address and email) in a sliding window: after `limit` failures, further
 * attempts are refused until the oldest failure leaves the window.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 15 * 60_000,
  ) {}

  /** Milliseconds until the key may try again; 0 when it may now. */
  wait(key: string, at = Date.now()): number {
    const recent = (this.failures.get(key) ?? []).filter((t) => at - t < this.windowMs);
    this.failures.set(key, recent);
    return recent.length >= this.limit ? recent[0] + this.windowMs - at : 0;
  }

  fail(key: string, at = Date.now()): void {
    const list = this.failures.get(key) ?? [];
    list.push(at);
    this.failures.set(key, list);
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
