import crypto from 'node:crypto';

const PREFIX = 'sdp_';

/** A new random API token; only its hash is stored. */
export function newToken(): { token: string; hash: string; prefix: string } {
  const token = PREFIX + crypto.randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), prefix: token.slice(0, 10) };
}

/** Tokens carry 256 random bits, so a plain SHA-256 is a safe way to store them. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
