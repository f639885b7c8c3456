// The session cookie: a 256-bit random secret whose SHA-256 names the session row (store/sessions.ts).
// HttpOnly (no script reads it), SameSite=Lax (sent on the top-level navigation from the client to
// /oauth/authorize, not on cross-site POSTs), Path=/, and over https Secure with the __Host- prefix (no
// subdomain or plain-http page can set or shadow it; RFC 6265bis §4.1.3.2).
import type { Config } from '../../config.js'

export interface CookieNames {
  session: string
  csrf: string
}

const secure = (config: Pick<Config, 'issuer'>) => config.issuer.startsWith('https:')

export function cookieNames(config: Pick<Config, 'issuer'>): CookieNames {
  return secure(config) ? { session: '__Host-portcullis-session', csrf: '__Host-portcullis-csrf' } : { session: 'portcullis-session', csrf: 'portcullis-csrf' }
}

/** The Set-Cookie value for `name`; `maxAge` 0 clears it. */
export function setCookie(config: Pick<Config, 'issuer'>, name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; SameSite=Lax${secure(config) ? '; Secure' : ''}`
}

/** The value of cookie `name` in a Cookie header; undefined when absent (the first one wins). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim()
  }
  return undefined
}
