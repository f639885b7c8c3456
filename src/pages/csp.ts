// The Content-Security-Policy of the pages: nothing but our own stylesheet (and, on the form_post page, our own
// script), forms only to ourselves, never framed (clickjacking on the login and consent pages).

const BASE = {
  'default-src': "'none'",
  'style-src': "'self'",
  'img-src': "'self'",
  'frame-ancestors': "'none'",
  'base-uri': "'none'",
} as const

/**
 * A CSP source expression for where a form may send the browser: the origin of an http(s) URL, or the scheme
 * alone of a private-use URI scheme (RFC 8252 §7.1). Chromium checks form-action against the target of every
 * redirect that follows a form's POST, so a login or consent POST answered by a 303 to the client needs the
 * client's redirect URI here; the form_post page POSTs to it directly.
 */
export function formActionSource(url: string): string {
  const parsed = new URL(url)
  const source = parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : parsed.protocol
  // URL normalised the value; refuse anything that could still end the directive or start another.
  if (!/^[a-z][a-z0-9+.-]*:(\/\/[^\s;,']+)?$/i.test(source)) throw new Error(`not a CSP source: ${source}`)
  return source
}

/** The policy of a page; `formTargets` are URLs (their origins join 'self'), `script` allows /assets scripts. */
export function contentSecurityPolicy(options: { formTargets?: readonly string[]; script?: boolean } = {}): string {
  const formAction = ["'self'", ...new Set((options.formTargets ?? []).map(formActionSource))].join(' ')
  const directives: Record<string, string> = { ...BASE, 'form-action': formAction }
  if (options.script) directives['script-src'] = "'self'"
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ')
}
