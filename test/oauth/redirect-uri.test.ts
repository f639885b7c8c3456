// Redirect URI registration and matching (RFC 6749 §3.1.2, RFC 9700 §4.1.3, RFC 8252 §7.3 and §8.3).
import t from 'tap'
import { matchRedirectUri, redirectUriProblem } from '../../src/oauth/authorize/redirect-uri.ts'

t.test('registration accepts https, loopback IP http and private-use schemes', async (t) => {
  for (const uri of [
    'https://app.example/cb',
    'https://app.example/cb?x=1',
    'http://127.0.0.1/cb',
    'http://127.0.0.1:8080/cb',
    'http://[::1]/cb',
    'com.example.app:/oauth',
  ]) {
    t.equal(redirectUriProblem(uri), undefined, uri)
  }
})

t.test('registration refuses plain http, localhost, fragments, wildcards and relative URIs', async (t) => {
  t.equal(
    redirectUriProblem('http://app.example/cb'),
    'http is allowed only for a loopback IP literal (127.0.0.1 or [::1], RFC 8252 §8.3); use https',
  )
  t.equal(
    redirectUriProblem('http://localhost/cb'),
    'http is allowed only for a loopback IP literal (127.0.0.1 or [::1], RFC 8252 §8.3); use https',
  )
  t.equal(redirectUriProblem('https://app.example/cb#top'), 'must not have a fragment (RFC 6749 §3.1.2)')
  t.equal(redirectUriProblem('https://*.example/cb'), 'must not contain a wildcard')
  t.equal(redirectUriProblem('/cb'), 'must be an absolute URI')
  t.equal(
    redirectUriProblem('javascript:alert(1)'),
    'must be https, loopback http, or a private-use scheme in reverse-domain form (RFC 8252 §7.1)',
  )
})

t.test('matching is exact, but for the port of a loopback redirect', async (t) => {
  const registered = ['https://app.example/cb', 'http://127.0.0.1/native', 'http://[::1]:4000/v6']
  t.equal(matchRedirectUri(registered, 'https://app.example/cb'), 'https://app.example/cb')
  t.equal(matchRedirectUri(registered, 'https://app.example/cb/'), undefined)
  t.equal(matchRedirectUri(registered, 'https://app.example:443/cb'), undefined)
  t.equal(matchRedirectUri(registered, 'https://app.example:8443/cb'), undefined, 'no port exception for https')
  t.equal(matchRedirectUri(registered, 'http://127.0.0.1:51004/native'), 'http://127.0.0.1:51004/native')
  t.equal(matchRedirectUri(registered, 'http://[::1]:5000/v6'), 'http://[::1]:5000/v6')
  t.equal(matchRedirectUri(registered, 'http://127.0.0.1:51004/native/x'), undefined)
  t.equal(matchRedirectUri(registered, 'http://127.0.0.2:51004/native'), undefined)
  t.equal(matchRedirectUri(registered, 'http://localhost:51004/native'), undefined)
  t.equal(matchRedirectUri(registered, undefined), undefined, 'omitted only when exactly one is registered')
  t.equal(matchRedirectUri(['https://only.example/cb'], undefined), 'https://only.example/cb')
})
