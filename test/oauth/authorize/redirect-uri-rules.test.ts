// Redirect URI rules (src/oauth/authorize/redirect-uri.ts) as a unit: what may be registered (RFC 6749 §3.1.2:
// absolute, no fragment; no wildcard; https, http only on a loopback IP literal, RFC 8252 §8.3; a private-use
// scheme in reverse-domain form, RFC 8252 §7.1) and which sent URI matches a registered one (exact string
// comparison, RFC 9700 §4.1.3, but for the port of a loopback http redirect, RFC 8252 §7.3), each rule on both
// sides of its boundary. Through the route: test/oauth/redirect-uri.test.ts, authorize.test.ts.
import t from 'tap'
import {
  matchRedirectUri,
  postLogoutRedirectUriProblem,
  redirectUriProblem,
} from '../../../src/oauth/authorize/redirect-uri.ts'

const NOT_ALLOWED = 'must be https, loopback http, or a private-use scheme in reverse-domain form (RFC 8252 §7.1)'
const HTTP_NOT_LOOPBACK =
  'http is allowed only for a loopback IP literal (127.0.0.1 or [::1], RFC 8252 §8.3); use https'

t.test('registration accepts https, loopback IP http and reverse-domain private-use schemes', async (t) => {
  for (const uri of [
    'https://app.example/cb',
    'https://app.example:8443/cb?tab=1',
    'HTTPS://App.Example/cb',
    'http://127.0.0.1/cb',
    'http://127.0.0.1',
    'http://127.0.0.1:51004/cb',
    'http://[::1]/cb',
    'http://[::1]:8080?x=1',
    'com.example.app:/oauth/callback',
    'com.example.app:callback',
    'a.b:/cb',
    'app.x-y+z:/cb',
  ]) {
    t.equal(redirectUriProblem(uri), undefined, uri)
  }
})

t.test('registration refuses an https URI written without its authority (RFC 9110 §4.2.2)', async (t) => {
  // The URL parser reads each of these as https://x/ or https://evil.example/; the raw string is what is stored.
  for (const uri of [
    'https:x',
    'https:/x/cb',
    'https:///evil.example/cb',
    'https:\\\\x/cb',
    'https://',
    'https://?x',
    'https:///',
  ]) {
    t.equal(
      redirectUriProblem(uri),
      uri === 'https://' || uri === 'https://?x' || uri === 'https:///'
        ? 'must be an absolute URI'
        : 'must name a host (https://host/…)',
      uri,
    )
  }
  t.equal(
    redirectUriProblem('https:x/cb?next=https://app.example/'),
    'must name a host (https://host/…)',
    'an authority later in the string does not count',
  )
  t.equal(redirectUriProblem('HTTPS://app.example/cb'), undefined, 'the scheme in any case')
  t.equal(redirectUriProblem('https://app.example'), undefined, 'no path')
})

t.test('registration refuses a private-use scheme without an inner dot', async (t) => {
  for (const uri of ['myapp:/cb', 'ab.:/cb', 'myapp.:/cb', 'a-b:/cb', 'a+b:/cb']) {
    t.equal(redirectUriProblem(uri), NOT_ALLOWED, uri)
  }
})

t.test('registration refuses script, data, file and other schemes', async (t) => {
  for (const uri of [
    'javascript:alert(1)',
    'JavaScript://example.com/%0aalert(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'vbscript:msgbox(1)',
    'ftp://files.example/cb',
    'ws://app.example/cb',
  ]) {
    t.equal(redirectUriProblem(uri), NOT_ALLOWED, uri)
  }
})

t.test('registration refuses http on any host but a loopback IP literal (RFC 8252 §8.3)', async (t) => {
  for (const uri of ['http://app.example/cb', 'http://localhost/cb', 'http://127.0.0.2/cb', 'http://[::2]/cb']) {
    t.equal(redirectUriProblem(uri), HTTP_NOT_LOOPBACK, uri)
  }
})

t.test('registration refuses wildcards, fragments and relative or malformed URIs', async (t) => {
  t.equal(redirectUriProblem('https://*.app.example/cb'), 'must not contain a wildcard')
  t.equal(redirectUriProblem('https://app.example/cb?x=*'), 'must not contain a wildcard')
  t.equal(redirectUriProblem('https://app.example/cb#top'), 'must not have a fragment (RFC 6749 §3.1.2)')
  t.equal(redirectUriProblem('https://app.example/cb#'), 'must not have a fragment (RFC 6749 §3.1.2)')
  for (const uri of ['/cb', 'app.example/cb', '', 'https://', 'http://127.0.0.1:65536/cb', '.app:/cb']) {
    t.equal(redirectUriProblem(uri), 'must be an absolute URI', JSON.stringify(uri))
  }
})

t.test('post-logout redirect URIs follow the same rules', async (t) => {
  t.equal(postLogoutRedirectUriProblem, redirectUriProblem)
})

t.test('matching: an unsent redirect URI is the only registered one, else none', async (t) => {
  t.equal(matchRedirectUri(['https://only.example/cb'], undefined), 'https://only.example/cb')
  t.equal(matchRedirectUri([], undefined), undefined)
  t.equal(matchRedirectUri(['https://a.example/cb', 'https://b.example/cb'], undefined), undefined)
})

t.test('matching is exact string comparison (RFC 9700 §4.1.3)', async (t) => {
  const registered = ['https://app.example/cb', 'https://app.example/cb?tab=1', 'com.example.app:/oauth']
  for (const uri of registered) t.equal(matchRedirectUri(registered, uri), uri, uri)
  for (const uri of [
    'https://app.example/cb/',
    'https://app.example/CB',
    'https://APP.example/cb',
    'https://app.example:443/cb',
    'https://app.example:8443/cb',
    'https://app.example/cb?tab=2',
    'https://app.example/cb#x',
    ' https://app.example/cb',
    'com.example.app:/oauth/x',
    'not a uri',
    '',
  ]) {
    t.equal(matchRedirectUri(registered, uri), undefined, JSON.stringify(uri))
  }
})

t.test('matching a loopback http redirect ignores the port only (RFC 8252 §7.3)', async (t) => {
  const registered = ['http://127.0.0.1/native', 'http://[::1]:4000/v6']
  for (const uri of [
    'http://127.0.0.1:51004/native',
    'http://127.0.0.1:1/native',
    'http://127.0.0.1:65535/native',
    'http://[::1]/v6',
    'http://[::1]:5000/v6',
  ]) {
    t.equal(matchRedirectUri(registered, uri), uri, uri)
  }
  for (const uri of [
    'http://127.0.0.1:65536/native',
    'http://127.0.0.1:123456/native',
    'http://127.0.0.1:/native',
    'http://127.0.0.1:51004/native/',
    'http://127.0.0.1:51004/Native',
    'http://127.0.0.1:51004/native?x=1',
    'http://[::1]:51004/native',
    'http://127.0.0.1:51004/v6',
    'http://127.0.0.2:51004/native',
    'http://localhost:51004/native',
    'https://127.0.0.1:51004/native',
    'http://127.1:51004/native',
    'http://127.0.0.1:51004@evil.example/native',
    ' http://127.0.0.1:51004/native',
    'http://127.0.0.1:51004/native\n',
    'HTTP://127.0.0.1:51004/native',
  ]) {
    t.equal(matchRedirectUri(registered, uri), undefined, JSON.stringify(uri))
  }
})

t.test('matching a loopback redirect without a path, or with only a query', async (t) => {
  t.equal(matchRedirectUri(['http://127.0.0.1'], 'http://127.0.0.1:5000'), 'http://127.0.0.1:5000')
  t.equal(matchRedirectUri(['http://127.0.0.1:8080'], 'http://127.0.0.1'), 'http://127.0.0.1')
  t.equal(matchRedirectUri(['http://127.0.0.1'], 'http://127.0.0.1:5000/'), undefined)
  t.equal(matchRedirectUri(['http://127.0.0.1'], 'http://127.0.0.1:5000#x'), undefined)
  t.equal(matchRedirectUri(['http://127.0.0.1?app=1'], 'http://127.0.0.1:5000?app=1'), 'http://127.0.0.1:5000?app=1')
  t.equal(matchRedirectUri(['http://127.0.0.1?app=1'], 'http://127.0.0.1:5000?app=2'), undefined)
  t.equal(matchRedirectUri(['http://127.0.0.1?app=1'], 'http://127.0.0.1:5000?app=1&x'), undefined)
})

t.test('a registered URI that does not parse or is not loopback http gives no port exception', async (t) => {
  t.equal(matchRedirectUri(['not a uri', 'https://127.0.0.1/cb'], 'https://127.0.0.1:8443/cb'), undefined)
  t.equal(matchRedirectUri(['not a uri'], 'http://127.0.0.1:5000/cb'), undefined)
  t.equal(matchRedirectUri(['https://127.0.0.1/cb'], 'http://127.0.0.1:5000/cb'), undefined)
})
