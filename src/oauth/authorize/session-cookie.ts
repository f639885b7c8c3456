// The session cookie: a 256-bit random secret whose SHA-256 names the session row (store/sessions.ts).
// HttpOnly (no script reads it), SameSite=Lax (sent on the top-level navigation from the client to
// /oauth/authorize, not on cross-site POSTs), Path=/, and over https Secure with the __Host- prefix (no
// subdomain or plain-http page can set or shadow it; RFC 6265bis §4.1.3.2).
import type { Config } from '../../config.js'

const secure = (config: Pick<Config, 'issuer'>) => config.issuer.startsWith('https:')

export function sessionCookieName(config: Pick<Config, 'issuer'>): string {
  return secure(config) ? '__Host-portcullis-session' : 'portcullis-session'
}

/** The attributes of the session cookie (@fastify/cookie's options); `maxAge` in seconds. */
export function sessionCookieOptions(config: Pick<Config, 'issuer'>, maxAge: number) {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(config), maxAge } as const
}
