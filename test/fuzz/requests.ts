// What the fuzzer sends: valid requests to every route, the same requests mutated (fields dropped, repeated,
// swapped for odd values, wrong content types, bodies past the limit), random methods and paths, forged
// credentials, and raw bytes that are not quite HTTP. Every choice comes from one seeded generator, so a
// seed replays the same run.
import type { FuzzRequest } from './client.ts'

export function generator(seedValue: number) {
  let state = seedValue >>> 0
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
  const int = (max: number) => Math.floor(next() * max)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
  const chance = (p: number) => next() < p
  return { next, int, pick, chance }
}

export type Random = ReturnType<typeof generator>

/** Percent-encodes the UTF-8 of `text` (a lone surrogate becomes U+FFFD), unlike encodeURIComponent, which throws. */
export function escapeText(text: string): string {
  return [...Buffer.from(text)]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('')
}

const PIECES = [
  '%',
  '%z',
  '%zz',
  '%C0%AF',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%FF',
  '%00',
  '%0A',
  '%E2%82',
  '+',
  '=',
  '&',
  '%25',
  'é',
  '😀',
  '\u202e',
  '"',
  '\\',
  "'",
  '<script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: '${x}' is sent as text, a template-injection probe
  '${x}',
  '../../',
  '\u0000',
  'alice',
  'read write',
  'admin',
  'service',
  '{"a":1}',
  'null',
  '[]',
]

/** An odd string: escapes, unicode, long, control characters, lone surrogates, JSON-looking text. */
export function oddString(random: Random): string {
  switch (random.int(7)) {
    case 0:
      return Array.from({ length: random.int(8) }, () => random.pick(PIECES)).join('')
    case 1:
      return 'v'.repeat(random.pick([0, 1, 199, 200, 201, 1025, 5000]))
    case 2:
      return String.fromCharCode(...Array.from({ length: random.int(20) }, () => random.int(0x10000)))
    case 3:
      return Array.from({ length: random.int(30) }, () => String.fromCharCode(0x21 + random.int(94))).join('')
    case 4:
      return String.fromCharCode(...Array.from({ length: random.int(6) }, () => random.int(0x20)))
    case 5:
      return random.pick(['', ' ', 'true', '0', '-1', '1e999', 'NaN', 'undefined', '__proto__', 'constructor'])
    default:
      return random.pick(['alice', 'service', 'spa', 'read', 'write', 'admin', 'keys:write'])
  }
}

/** An odd JSON value for a field that expects something else. */
export function oddValue(random: Random): unknown {
  switch (random.int(8)) {
    case 0:
      return random.int(2) === 0
    case 1:
      return random.pick([0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e308, 315360001])
    case 2:
      return null
    case 3:
      return Array.from({ length: random.int(4) }, () => oddString(random))
    case 4:
      return { [oddString(random)]: oddString(random), nested: { deeper: [1, { x: null }] } }
    case 5:
      return Array.from({ length: random.pick([101, 300]) }, (_, i) => `s${i}`)
    default:
      return oddString(random)
  }
}

/** Invalid UTF-8 byte sequences: overlong, surrogates, truncated, past U+10FFFF, stray continuation bytes. */
export const INVALID_UTF8 = [
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xff]),
  Buffer.from([0x80, 0x80]),
  Buffer.from([0xfe, 0xfe]),
]

export function withInvalidUtf8(random: Random, text: string): Buffer {
  const at = random.int(text.length + 1)
  return Buffer.concat([Buffer.from(text.slice(0, at)), random.pick(INVALID_UTF8), Buffer.from(text.slice(at))])
}

export const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded; charset=latin1',
  'application/json',
  'application/json; charset=utf-16',
  'application/json; charset="utf-8"',
  'text/plain',
  'text/html',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/x-www-form-urlencoded;;;',
  'APPLICATION/JSON',
  'application/jsonx',
  'application/merge-patch+json',
  '*/*',
  'x/y; charset="utf-8"',
  ';',
  '',
  'application/json; charset=\u00ff',
]

export const METHODS = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'SEARCH',
  'QUERY',
  'LOCK',
  'MKCOL',
  'FOO',
  'get',
  'CONNECT',
]

export const ROUTES = [
  '/oauth/token',
  '/oauth/revoke',
  '/oauth/introspect',
  '/.well-known/jwks.json',
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
  '/healthz',
  '/readyz',
  '/metrics',
  '/openapi.json',
  '/openapi.yaml',
  '/docs',
  '/docs/',
  '/admin/v1/clients',
  '/admin/v1/clients/service',
  '/admin/v1/clients/nope/rotate-secret',
  '/admin/v1/users',
  '/admin/v1/users/nope',
  '/admin/v1/users/nope/password',
  '/admin/v1/access-keys',
  '/admin/v1/access-keys/nope',
  '/admin/v1/access-keys/nope/revoke',
  '/admin/v1/signing-keys',
  '/admin/v1/signing-keys/nope/revoke',
  '/admin/v1/audit',
  '/v1/me/access-keys',
  '/v1/me/access-keys/nope/revoke',
]

/** A path near a real one: a segment swapped, escaped badly, doubled, or a query string added. */
export function oddPath(random: Random): string {
  const base = random.pick(ROUTES)
  switch (random.int(9)) {
    case 0:
      return `${base}?${random.pick(['limit=0', 'limit=-1', 'limit=abc', 'limit=1e9', 'after=%zz', 'after=', 'active=maybe', 'a=%FF', 'limit=1&limit=2', `x=${'y'.repeat(4000)}`, '&&&', '=', 'type=%00'])}`
    case 1:
      return base.replace(/[^/]+$/, (segment) =>
        random.pick([
          '%zz',
          '%',
          '%C0%AF',
          '%ED%A0%80',
          escapeText(oddString(random)),
          '..',
          '.',
          '%2e%2e',
          'x'.repeat(random.pick([100, 1000, 8000])),
          segment.toUpperCase(),
          `${segment}/`,
        ]),
      )
    case 2:
      return `${base}/${escapeText(oddString(random))}`
    case 3:
      return base.replace(/\//g, () => random.pick(['/', '//', '/./']))
    case 4:
      return `/${Array.from({ length: random.int(5) }, () => escapeText(oddString(random))).join('/')}`
    case 5:
      return `${base}#${oddString(random).replace(/[^\x21-\x7e]/g, '')}`
    case 6:
      return random.pick([
        '*',
        '/%',
        '/%%',
        '/?',
        '/\u00ff',
        '/admin/v1/clients/%00',
        '/admin/v1/users/%2F',
        `/admin/v1/clients/${'%41'.repeat(300)}`,
      ])
    default:
      return base
  }
}

/** Authorization headers that are not what they claim to be. */
export function oddAuthorization(random: Random, forged: readonly string[]): string {
  const basicOf = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`
  switch (random.int(6)) {
    case 0:
      return `Bearer ${random.pick(forged)}`
    case 1:
      return random.pick([
        'Basic',
        'Basic ',
        'Basic ====',
        'Basic Og==',
        'Basic !!!',
        'basic c2VydmljZTp4',
        'Basic\tc2VydmljZTp4',
        `Basic ${'A'.repeat(9000)}`,
        'Basic //79/Q==',
        'Basic JXp6OiV6eg==',
      ])
    case 2:
      return basicOf(`${oddString(random)}:${oddString(random)}`)
    case 3:
      return random.pick([
        'Bearer',
        'Bearer ',
        'Bearer  ',
        'Bearer x',
        `Bearer ${'e'.repeat(9000)}`,
        'Bearer a.b.c',
        'Bearer ..',
        'Bearer eyJhbGciOiJub25lIn0.e30.',
        'Digest a=b',
        'Negotiate x',
        'Bearer pcl_x_y',
        `Bearer pcl_${'a'.repeat(40)}`,
      ])
    case 4:
      return `Bearer ${random.pick(forged).slice(0, random.int(400))}`
    default:
      return `${random.pick(['Bearer', 'Basic'])} ${oddString(random).replace(/[^\t\x20-\x7e\x80-\xff]/g, '')}`
  }
}

export const form = (params: Record<string, string>) => new URLSearchParams(params).toString()

/** Mutates an object body: a field dropped, added, replaced by an odd value, or the whole body swapped. */
export function mutateObject(random: Random, body: Record<string, unknown>): unknown {
  const copy: Record<string, unknown> = { ...body }
  const keys = Object.keys(copy)
  for (let n = 1 + random.int(3); n > 0; n--) {
    const key = keys.length > 0 ? random.pick(keys) : 'x'
    switch (random.int(5)) {
      case 0:
        delete copy[key]
        break
      case 1:
        copy[random.pick([oddString(random), '__proto__', 'constructor', 'extra'])] = oddValue(random)
        break
      case 2:
        return random.pick([[copy], null, 'text', 42, [], true])
      default:
        copy[key] = oddValue(random)
    }
  }
  return copy
}

/** Mutates a form body: a parameter repeated, dropped, or given an odd (and perhaps badly escaped) value. */
export function mutateForm(random: Random, params: Record<string, string>): string | Buffer {
  const pairs = Object.entries(params).map(([k, v]) => `${escapeText(k)}=${escapeText(v)}`)
  switch (random.int(6)) {
    case 0:
      pairs.push(pairs[random.int(pairs.length)] ?? 'x=1')
      break
    case 1:
      pairs.splice(random.int(pairs.length), 1)
      break
    case 2:
      pairs.push(`${random.pick(Object.keys(params))}=${random.pick(PIECES)}${random.pick(PIECES)}`)
      break
    case 3:
      return withInvalidUtf8(random, pairs.join('&'))
    case 4:
      pairs[random.int(pairs.length)] = `${random.pick(Object.keys(params))}=${escapeText(oddString(random))}`
      break
    default:
      pairs.push(`${escapeText(oddString(random))}=${escapeText(oddString(random))}`)
  }
  return pairs.join(random.pick(['&', '&', '&', '&&', ';']))
}

/** Requests that only a raw socket can send: Node's client refuses to write them. */
export function rawRequest(random: Random, host: string): Buffer {
  const path = random.pick(ROUTES)
  const crlf = '\r\n'
  switch (random.int(14)) {
    case 11:
      return Buffer.from(
        `POST /oauth/${random.pick(['token', 'introspect'])} HTTP/1.1${crlf}Host: ${host}${crlf}Content-Type: application/x-www-form-urlencoded${crlf}Content-Type: application/json${crlf}Content-Length: 2${crlf}${crlf}{}`,
      )
    case 12: {
      // A chunked body past the limit: no Content-Length to refuse it by up front.
      const chunk = `grant_type=client_credentials&${'p'.repeat(1000)}`
      return Buffer.from(
        `POST /oauth/token HTTP/1.1${crlf}Host: ${host}${crlf}Content-Type: application/x-www-form-urlencoded${crlf}Transfer-Encoding: chunked${crlf}${crlf}${`${chunk.length.toString(16)}${crlf}${chunk}${crlf}`.repeat(random.pick([2, 20]))}0${crlf}${crlf}`,
      )
    }
    case 13:
      return Buffer.from(
        `GET ${path} HTTP/1.1${crlf}Host: ${host}${crlf}X-API-Key: pcl_a_b${crlf}X-API-Key: pcl_c_d${crlf}Authorization: Bearer a.b.c${crlf}Authorization: Basic Og==${crlf}${crlf}GET /healthz HTTP/1.1${crlf}Host: ${host}${crlf}${crlf}`,
      )
    case 10:
      return Buffer.from(
        `GET ${path} HTTP/1.1${crlf}Host: ${host}${crlf}Connection: Upgrade${crlf}Upgrade: ${random.pick(['websocket', 'h2c', 'x'])}${crlf}${crlf}`,
      )
    case 0:
      return Buffer.from(
        `GET ${path} HTTP/1.1${crlf}Host: ${host}${crlf}X-Big: ${'a'.repeat(random.pick([17_000, 70_000]))}${crlf}${crlf}`,
      )
    case 1:
      return Buffer.from(
        `GET ${path} HTTP/1.1${crlf}Host: ${host}${crlf}${Array.from({ length: 2100 }, (_, i) => `X-H${i}: v`).join(crlf)}${crlf}${crlf}`,
      )
    case 2:
      return Buffer.from(
        `${random.pick(['G ET', 'GET  ', '', '\u0000', 'GET\t'])} ${path} HTTP/1.1${crlf}Host: ${host}${crlf}${crlf}`,
      )
    case 3:
      return Buffer.from(
        `GET ${path} ${random.pick(['HTTP/9.9', 'HTTP/1', 'HTTPS/1.1', 'http/1.1', ''])}${crlf}Host: ${host}${crlf}${crlf}`,
      )
    case 4:
      return Buffer.concat([
        Buffer.from(`GET /`),
        random.pick(INVALID_UTF8),
        Buffer.from(` HTTP/1.1${crlf}Host: ${host}${crlf}${crlf}`),
      ])
    case 5:
      return Buffer.concat([
        Buffer.from(`GET ${path} HTTP/1.1${crlf}Host: ${host}${crlf}X-Odd: `),
        random.pick([Buffer.from([0]), Buffer.from([0x0b]), Buffer.from('a\rb'), Buffer.from([0x7f])]),
        Buffer.from(`${crlf}${crlf}`),
      ])
    case 6:
      return Buffer.from(
        `POST /oauth/token HTTP/1.1${crlf}Host: ${host}${crlf}Content-Type: application/x-www-form-urlencoded${crlf}Transfer-Encoding: chunked${crlf}${crlf}${random.pick(['zz', '5\r\nab', 'FFFFFFFFFFFFFFFFFF\r\n', '-1\r\n'])}${crlf}${crlf}`,
      )
    case 7:
      // Request smuggling shapes: two lengths, or a length beside chunked encoding.
      return random.chance(0.5)
        ? Buffer.from(
            `POST /oauth/token HTTP/1.1${crlf}Host: ${host}${crlf}Content-Length: 5${crlf}Content-Length: 6${crlf}${crlf}hello!`,
          )
        : Buffer.from(
            `POST /oauth/token HTTP/1.1${crlf}Host: ${host}${crlf}Content-Length: 4${crlf}Transfer-Encoding: ${random.pick(['chunked', 'chunked, identity', 'identity, chunked', 'x'])}${crlf}${crlf}0${crlf}${crlf}`,
          )
    case 8:
      return Buffer.from(
        `POST /oauth/token HTTP/1.1${crlf}Host: ${host}${crlf}Content-Length: ${random.pick(['-1', 'abc', '1e3', '99999999999999999999'])}${crlf}${crlf}`,
      )
    default:
      return Buffer.from(
        `${random.pick(['GET', 'POST'])} ${random.pick(['noslash', 'http://evil.example/', '//x', '/a b'])} HTTP/1.1${crlf}Host: ${host}${crlf}${crlf}`,
      )
  }
}

export type { FuzzRequest }
