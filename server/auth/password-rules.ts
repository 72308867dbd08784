import { dictionary } from '@zxcvbn-ts/language-common';
import { Invalid } from '../errors';

/** The shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 12;
/** The longest (scrypt takes any length; this bounds the work one request can ask for). */
export const MAX_PASSWORD_LENGTH = 200;

// zxcvbn-ts's list of the most common passwords in breach corpora (~49,000), shipped in the package.
let common: Set<string> | null = null;
const commonPasswords = (): Set<string> => (common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase())));

/** Why a password is refused, in both languages, or null when it is acceptable. */
export function passwordProblem(password: string, email?: string): { code: string; id: string; en: string } | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return { code: 'password_too_short', id: `Kata sandi minimal ${MIN_PASSWORD_LENGTH} karakter.`, en: `The password needs at least ${MIN_PASSWORD_LENGTH} characters.` };
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return { code: 'password_too_long', id: `Kata sandi paling panjang ${MAX_PASSWORD_LENGTH} karakter.`, en: `The password may have at most ${MAX_PASSWORD_LENGTH} characters.` };
  }
  const lower = password.toLowerCase();
  const e = email?.trim().toLowerCase();
  if (e && (lower === e || lower === e.split('@')[0])) {
    return { code: 'password_is_email', id: 'Kata sandi tidak boleh sama dengan email.', en: 'The password must not be the e-mail address.' };
  }
  if (commonPasswords().has(lower) || /^(.)\1*$/.test(password)) {
    return {
      code: 'password_common',
      id: 'Kata sandi ini termasuk yang paling sering dipakai atau bocor; pilih yang lain.',
      en: 'This password is among the most used or breached ones; choose another.',
    };
  }
  return null;
}

/** Throws Invalid (400, the problem at `field`) unless the password is acceptable for this e-mail. */
export function assertPasswordAcceptable(password: string, email: string, field = 'password'): void {
  const p = passwordProblem(password, email);
  if (p) throw new Invalid(p.id, p.en, [{ path: field, message: p.id, message_en: p.en, code: p.code }]);
}
