// CSRF protection of the login, consent and logout forms: a signed double-submit token. The browser holds a
// random value in an HttpOnly SameSite=Lax cookie; each form carries HMAC(key, purpose, that value, the
// request it answers). A cross-site POST carries no Lax cookie, and a forged form cannot know the value, so
// it is refused (403). The HMAC key is derived from the master key, so every instance accepts the token.
import { createHmac, hkdfSync } from 'node:crypto'
import { constantTimeEqual, randomSecret } from '../../security/secrets.js'

export type CsrfPurpose = 'login' | 'consent' | 'logout'

export function deriveCsrfKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'portcullis/csrf/v1', 32))
}

/** A new cookie value for a browser that has none. */
export const newCsrfCookie = (): string => randomSecret()

export function csrfToken(key: Buffer, purpose: CsrfPurpose, cookie: string, bound: string): string {
  return createHmac('sha256', key).update(`${purpose}\n${cookie}\n${bound}`).digest('base64url')
}

export function checkCsrfToken(key: Buffer, purpose: CsrfPurpose, cookie: string | undefined, bound: string, token: string | undefined): boolean {
  if (!cookie || !token) return false
  return constantTimeEqual(csrfToken(key, purpose, cookie, bound), token)
}
