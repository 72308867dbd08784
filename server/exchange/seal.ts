import crypto from 'node:crypto';

// Secrets the portal must use but never show again (a source's API key headers) are kept sealed
// with AES-256-GCM under a key derived from SESSION_SECRET: a stolen database dump alone does not
// reveal them. Changing SESSION_SECRET makes sealed values unreadable; their sources then fail
// with a clear error until the key is entered again.

const keyOf = (secret: string) => Buffer.from(crypto.hkdfSync('sha256', secret, 'satudata', 'sealed-values-v1', 32));

/** Seals a JSON-serialisable value: `v1.<iv>.<tag>.<ciphertext>`, base64url. */
export function seal(value: unknown, secret: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** Opens a sealed value; throws when it was sealed under another secret or altered. */
export function unseal<T>(sealed: string, secret: string): T {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed value');
  const decipher = crypto.createDecipheriv('aes-256-gcm', keyOf(secret), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  return JSON.parse(text) as T;
}
