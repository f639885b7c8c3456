// Redirect URIs (RFC 6749 §3.1.2, RFC 9700 §4.1, RFC 8252 §7.3 and §8.3).
//
// Registration: absolute, no fragment (RFC 6749 §3.1.2), no wildcard, https, or http only on a loopback IP
// literal (127.0.0.1 or [::1]; RFC 8252 §8.3 says not `localhost`, which a hostile resolver or hosts file can
// point elsewhere); a private-use scheme (com.example.app:/callback, RFC 8252 §7.1) for native apps.
// Matching: exact string comparison (RFC 9700 §4.1.3), except that the port of a loopback http redirect may
// differ from the registered one (RFC 8252 §7.3: a native app listens on whatever port the system gives it).

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]'])

/** Why `uri` cannot be registered as a redirect URI; undefined when it can. */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.includes('*')) return 'must not contain a wildcard'
  if (uri.includes('#')) return 'must not have a fragment (RFC 6749 §3.1.2)'
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return 'must be an absolute URI'
  }
  // The URL parser reads `https:x`, `https:///x` and `https:\\x` as https://x/, while the raw string is what is
  // stored and compared: an https URI must be written with its authority, and name a host (RFC 9110 §4.2.2).
  if (url.protocol === 'https:')
    return /^https:\/\/[^/?#\\]/i.test(uri) ? undefined : 'must name a host (https://host/…)'
  if (url.protocol === 'http:')
    return LOOPBACK_HOSTS.has(url.hostname)
      ? undefined
      : 'http is allowed only for a loopback IP literal (127.0.0.1 or [::1], RFC 8252 §8.3); use https'
  // A native app's private-use scheme: reverse domain name with a dot (RFC 8252 §7.1).
  if (
    // Two linear checks, not one pattern: `[a-z0-9+.-]*\.[a-z0-9+.-]+` backtracks quadratically on dots.
    /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) &&
    url.protocol.slice(1, -2).includes('.') &&
    !['javascript:', 'data:', 'file:', 'vbscript:'].includes(url.protocol)
  )
    return undefined
  return 'must be https, loopback http, or a private-use scheme in reverse-domain form (RFC 8252 §7.1)'
}

/** Why `uri` cannot be registered as a post-logout redirect URI; the same rules as redirect URIs. */
export const postLogoutRedirectUriProblem = redirectUriProblem

/** The URI with its port removed, when it is a loopback http URI (the part RFC 8252 §7.3 compares). */
function withoutLoopbackPort(uri: string): string | undefined {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return undefined
  // Compared on the string, not the parsed URL: everything but the port must be exactly as registered.
  const match = /^http:\/\/(127\.0\.0\.1|\[::1\])(:\d{1,5})?(\/.*|\?.*)?$/.exec(uri)
  return match ? `http://${match[1]}${match[3] ?? ''}` : undefined
}

/**
 * The redirect URI a request may use: `sent` when it equals a registered one (a loopback one with any port);
 * the only registered one when none was sent; undefined when there is no such URI (never redirect then).
 *
 * @example
 * matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:51004/cb') // 'http://127.0.0.1:51004/cb'
 */
export function matchRedirectUri(registered: readonly string[], sent: string | undefined): string | undefined {
  if (sent === undefined) return registered.length === 1 ? registered[0] : undefined
  if (registered.includes(sent)) return sent
  const loopback = withoutLoopbackPort(sent)
  if (loopback === undefined) return undefined
  return registered.some((uri) => withoutLoopbackPort(uri) === loopback) ? sent : undefined
}
