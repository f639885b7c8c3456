// The token endpoint's small parts as units, with their exact answers: the strict form parser
// (src/oauth/form-body.ts), scope parsing and granting (scope.ts), and which store a presented token can be in
// (token-kind.ts). Through the endpoints: token-errors.test.ts, revocation.test.ts, introspection.test.ts.
import t from 'tap'
import { OAuthError, rfcDescription as rfc } from '../../src/errors.ts'
import Fastify from 'fastify'
import {
  acceptFormOnly,
  formDecode,
  parseFormBody,
  readParameters,
  requireFormBody,
} from '../../src/oauth/form-body.ts'
import { tokenParameters } from '../../src/oauth/token-endpoint.ts'
import { tokenResponse } from '../../src/oauth/token-response.ts'
import {
  formatScope,
  grantScope,
  IDENTITY_SCOPES,
  intersectScopes,
  parseScope,
  withIdentityScopes,
} from '../../src/oauth/scope.ts'
import { MAX_TOKEN_LENGTH, tokenKind } from '../../src/oauth/token-kind.ts'
import { generateAccessKey } from '../../src/security/access-keys.ts'

const refusal = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    if (err instanceof OAuthError) return { error: err.error, description: err.description }
    throw err
  }
  return undefined
}
// Descriptions are RFC 6749 §5.2 text: a double quote becomes a single one (errors.ts rfcDescription).
const invalidRequest = (description: string) => ({ error: 'invalid_request', description: rfc(description) })

t.test('parseFormBody: what each form becomes', async (t) => {
  const parsed = (text: string) => ({ ...parseFormBody(text) })
  t.same(parsed('grant_type=client_credentials&scope=read+write'), {
    grant_type: 'client_credentials',
    scope: 'read write',
  })
  t.same(parsed('a=1&&b=2&'), { a: '1', b: '2' }, 'empty pairs are skipped')
  t.same(parsed('flag&a='), { flag: '', a: '' }, 'a key without = or value is an empty value')
  t.same(parsed('a=1&a=2&a=3'), { a: ['1', '2', '3'] }, 'a repeated key keeps every value, in order')
  t.same(parsed('a%20b=c%2Bd&e=f+g'), { 'a b': 'c+d', e: 'f g' }, 'keys and values decoded; + is a space')
  t.same(parsed('a=b=c'), { a: 'b=c' }, 'only the first = separates')
  t.same(parsed('x=%E2%9C%93'), { x: '✓' }, 'UTF-8')
  t.equal(Object.getPrototypeOf(parseFormBody('a=1')), null, 'no prototype: __proto__ is a plain key')
  t.same(parsed('__proto__=x'), { ['__proto__']: 'x' })
  const control = invalidRequest('the form body contains control characters')
  const malformed = invalidRequest('the form body has malformed percent-encoding or is not UTF-8')
  t.same(
    refusal(() => parseFormBody('a=b\u0001')),
    control,
    'a raw control character',
  )
  t.same(
    refusal(() => parseFormBody('a=%01')),
    control,
    'an escaped one in a value',
  )
  t.same(
    refusal(() => parseFormBody('%7F=a')),
    control,
    'an escaped one in a key',
  )
  t.same(parsed('a=%0A%0D%09'), { a: '\n\r\t' }, 'escaped line feed, carriage return and tab are allowed')
  t.same(parsed('a=\t'), { a: '\t' }, 'a raw tab is not refused (nor a raw line feed or carriage return)')
  t.same(
    refusal(() => parseFormBody('a=%zz')),
    malformed,
  )
  t.same(
    refusal(() => parseFormBody('%zz=a')),
    malformed,
    'in a key',
  )
  t.same(
    refusal(() => parseFormBody('a=%C3%28')),
    malformed,
    'not UTF-8',
  )
  t.same(
    refusal(() => parseFormBody('a')),
    undefined,
  )
})

t.test('formDecode: + and percent escapes, the common case returned as it is', async (t) => {
  const bad = () => new Error('bad')
  t.equal(formDecode('plain', bad), 'plain')
  t.equal(formDecode('a+b+c', bad), 'a b c', 'every + is a space')
  t.equal(formDecode('a%2Bb+c', bad), 'a+b c')
  t.equal(formDecode('%41', bad), 'A')
  t.throws(() => formDecode('%4', bad), { message: 'bad' })
})

t.test('readParameters: single strings only; empty ones omitted', async (t) => {
  t.same({ ...readParameters({ a: 'x', b: '' }) }, { a: 'x' })
  t.same(readParameters(undefined), {})
  t.same(readParameters(null), {})
  t.same(
    refusal(() => readParameters('a=x')),
    invalidRequest('the request body must be application/x-www-form-urlencoded'),
  )
  t.same(
    refusal(() => readParameters({ scope: ['a', 'b'] })),
    invalidRequest('parameter "scope" is repeated'),
  )
  t.same(
    refusal(() => readParameters({ n: 5 })),
    invalidRequest('parameter "n" must be a string'),
  )
  t.same(
    refusal(() => readParameters({ ['k'.repeat(100)]: 5 })),
    invalidRequest(`parameter "${'k'.repeat(64)}" must be a string`),
    'a long key is cut to 64 characters',
  )
  t.same(
    refusal(() => readParameters({ ['r'.repeat(100)]: ['a', 'b'] })),
    invalidRequest(`parameter "${'r'.repeat(64)}" is repeated`),
    'and in the repeated message',
  )
})

t.test('tokenParameters: one resource per request, then readParameters', async (t) => {
  t.same(tokenParameters(undefined), {}, 'no body: no parameters (requireFormBody refuses it before)')
  t.same(tokenParameters(null), {})
  t.same(
    refusal(() => tokenParameters({ resource: ['https://a.example', 'https://b.example'] })),
    {
      error: 'invalid_target',
      description: 'one resource per token request: each access token here has a single audience',
    },
  )
  t.same(
    refusal(() => tokenParameters({ scope: ['a', 'b'] })),
    invalidRequest('parameter "scope" is repeated'),
    'another repeated parameter is invalid_request',
  )
  t.same({ ...tokenParameters({ resource: 'https://a.example' }) }, { resource: 'https://a.example' })
})

t.test('requireFormBody: the media types an OAuth endpoint accepts, and the status of each refusal', async (t) => {
  const verdict = (contentType: string | undefined) => {
    const set: Record<string, string>[] = []
    let outcome: { status: number; error: string; description: string } | 'accepted' | undefined
    requireFormBody(
      { headers: contentType === undefined ? {} : { 'content-type': contentType } } as never,
      { headers: (headers: Record<string, string>) => set.push(headers) } as never,
      (error?: Error) => {
        t.equal(outcome, undefined, 'done is called once')
        if (!error) outcome = 'accepted'
        else if (error instanceof OAuthError)
          outcome = { status: error.statusCode, error: error.error, description: error.description }
        else throw error
      },
    )
    t.same(set, [{ 'cache-control': 'no-store', pragma: 'no-cache' }], 'no-store, whatever the verdict')
    return outcome
  }
  const missing = {
    status: 400,
    error: 'invalid_request',
    description: 'the request body must be application/x-www-form-urlencoded',
  }
  const unsupported = {
    status: 415,
    error: 'invalid_request',
    description: 'the request body must be application/x-www-form-urlencoded (UTF-8)',
  }
  for (const accepted of [
    'application/x-www-form-urlencoded',
    'Application/X-WWW-Form-Urlencoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'application/x-www-form-urlencoded;charset=UTF-8',
    'application/x-www-form-urlencoded; charset="utf-8"',
    'application/x-www-form-urlencoded; foo=bar',
    'application/x-www-form-urlencoded; foo=bar; charset=utf-8',
  ])
    t.equal(verdict(accepted), 'accepted', accepted)
  for (const absent of [undefined, '', '   ']) t.same(verdict(absent), missing, `${JSON.stringify(absent)}: 400`)
  for (const refused of [
    'application/json',
    'application/x-www-form-urlencoded; charset=latin1',
    'application/x-www-form-urlencoded; foo=bar; charset=iso-8859-1',
    'multipart/form-data; boundary=x',
  ])
    t.same(verdict(refused), unsupported, `${refused}: 415`)
})

t.test('acceptFormOnly: a scope that takes strict form bodies and nothing else', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(async (scope) => {
    acceptFormOnly(scope, 1024)
    scope.post('/form', async (request) => ({ body: request.body }))
  })
  const post = (contentType: string, payload: string) =>
    app.inject({ method: 'POST', url: '/form', headers: { 'content-type': contentType }, payload })
  const parsed = await post('application/x-www-form-urlencoded', 'a=1&b=x+y')
  t.equal(parsed.statusCode, 200)
  t.same(parsed.json(), { body: { a: '1', b: 'x y' } })
  const json = await post('application/json', '{"a":1}')
  t.equal(json.statusCode, 415, 'JSON is refused before the body is read')
  t.equal(json.headers['cache-control'], 'no-store')
  const malformed = await post('application/x-www-form-urlencoded', 'a=%zz')
  t.equal(malformed.statusCode, 400, 'malformed percent-encoding is refused by the strict parser')
})

t.test('scope: parsing, intersecting, granting', async (t) => {
  t.same(parseScope('read  write read'), ['read', 'write'], 'extra spaces and duplicates dropped, order kept')
  t.equal(parseScope(undefined), undefined)
  t.equal(parseScope('   '), undefined, 'only spaces: no scope')
  t.equal(parseScope(''), undefined)
  t.same(parseScope('a:b!#[]~'), ['a:b!#[]~'], 'printable ASCII but space, " and \\')
  for (const bad of ['a"b', 'a\\b', 'café', 'a\u0001'])
    t.same(
      refusal(() => parseScope(`read ${bad}`)),
      { error: 'invalid_scope', description: rfc(`scope ${JSON.stringify(bad)} is malformed (RFC 6749 §3.3)`) },
      JSON.stringify(bad),
    )
  t.same(
    refusal(() => parseScope('x'.repeat(100) + '"'))?.description,
    rfc(`scope ${JSON.stringify('x'.repeat(64))} is malformed (RFC 6749 §3.3)`),
  )
  t.same(intersectScopes(['c', 'a', 'b'], ['a', 'b', 'c'], ['b', 'c']), ['c', 'b'], "the first's order")
  t.same(intersectScopes(['a']), ['a'])
  t.same(grantScope(undefined, ['a', 'b'], 'x'), ['a', 'b'], 'nothing requested: everything allowed')
  t.same(grantScope(['b'], ['a', 'b'], 'x'), ['b'])
  t.same(
    refusal(() => grantScope(['a', 'z'], ['a'], 'this client')),
    {
      error: 'invalid_scope',
      description: rfc('this client may not have the scope "z"'),
    },
  )
  t.same(
    refusal(() => grantScope(['1', '2', '3', '4', '5'], [], 'this user')),
    { error: 'invalid_scope', description: rfc('this user may not have the scope "1", "2", "3", "4", "5"') },
    'five refused: all named',
  )
  t.same(
    refusal(() => grantScope(['1', '2', '3', '4', '5', '6'], [], 'this user')),
    { error: 'invalid_scope', description: rfc('this user may not have the scope "1", "2", "3", "4", "5", …') },
    'six: the first five and an ellipsis',
  )
  t.same(IDENTITY_SCOPES, ['openid', 'profile', 'email'])
  t.same(withIdentityScopes(['read']), ['read', 'openid', 'profile', 'email'])
  t.equal(formatScope(['a', 'b']), 'a b')
})

t.test('tokenKind: the shape names the one store to look in', async (t) => {
  const key = generateAccessKey(Date.now()).key
  t.equal(tokenKind(key), 'access_key')
  t.equal(tokenKind('eyJh.eyJz.sig-_0'), 'jwt')
  t.equal(tokenKind('K1P4w08rFGmOCcbkHPjv22mLfQ_Icw5A7Eeux8VTf1c'), 'refresh_token', 'anything else')
  for (const notJws of ['a.b', 'a.b.c.d', '.b.c', 'a..c', 'a.b.', 'a.b.c ', ' a.b.c', 'a.b+.c', 'a.b.c='])
    t.equal(tokenKind(notJws), 'refresh_token', `${JSON.stringify(notJws)} is not a compact JWS`)
  t.equal(tokenKind('a'.repeat(MAX_TOKEN_LENGTH)), 'refresh_token', 'at the length limit: still looked for')
  t.equal(tokenKind('a'.repeat(MAX_TOKEN_LENGTH + 1)), undefined, 'longer: not ours, no lookup')
  t.equal(MAX_TOKEN_LENGTH, 8192)
})

t.test('tokenResponse: the members of each answer, and none that is absent', async (t) => {
  const issued = { token: 'header.payload.signature', expiresIn: 300 } as Parameters<typeof tokenResponse>[0]
  const base = { subject: 's', scope: ['read', 'write'], audience: 'https://api.example' }
  t.same(Object.keys(tokenResponse(issued, base, false)), ['access_token', 'token_type', 'expires_in', 'scope'])
  t.same(tokenResponse(issued, base, false), {
    access_token: 'header.payload.signature',
    token_type: 'Bearer',
    expires_in: 300,
    scope: 'read write',
  })
  t.equal(tokenResponse(issued, base, true).token_type, 'DPoP', 'RFC 9449 §5: a DPoP-bound token')
  const full = tokenResponse(
    issued,
    { ...base, refreshToken: 'rt', issuedTokenType: 'urn:ietf:params:oauth:token-type:access_token' },
    false,
    'id.token.jwt',
  )
  t.same(Object.keys(full), [
    'access_token',
    'token_type',
    'expires_in',
    'scope',
    'refresh_token',
    'issued_token_type',
    'id_token',
  ])
  t.match(full, {
    refresh_token: 'rt',
    issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    id_token: 'id.token.jwt',
  })
})
