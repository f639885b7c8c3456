// The address a client is counted by, wherever requests or failures are counted per address: the token
// endpoint's rate limit (rate-limits.ts) and the password grant's failure counters (grants/password.ts).
// One function, so that both group alike. An IPv6 client usually holds a whole /64 (RFC 4291 §2.5.4 and
// RFC 6177: a site gets at least a /64, and privacy addresses, RFC 8981, change within it at will), so counting
// each address apart would give one client 2^64 quotas: an IPv6 address counts as its /64. An IPv4-mapped IPv6
// address (::ffff:192.0.2.1, RFC 4291 §2.5.5.2, what a dual-stack socket reports for an IPv4 peer) is that
// IPv4 address, so one client is counted once whichever socket it came through.
//
// The keys are those @fastify/rate-limit's normalizeIP() makes (the /64 in RFC 5952 text), so the rate
// limiter's counters, in Redis across instances, keep their keys; test/client-address.test.ts compares both.
import { isIPv6 } from 'node:net'

const GROUPS = 8
const PREFIX_GROUPS = 4

/** The eight 16-bit groups of a valid IPv6 address (without its zone). */
function ipv6Groups(address: string): number[] {
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').flatMap((group) => (group.includes('.') ? ipv4Groups(group) : [Number.parseInt(group, 16)]))
  const [head = '', tail] = address.split('::')
  if (tail === undefined) return parse(head)
  const left = parse(head)
  const right = parse(tail)
  return [...left, ...new Array<number>(GROUPS - left.length - right.length).fill(0), ...right]
}

function ipv4Groups(address: string): number[] {
  const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number)
  return [(a << 8) | b, (c << 8) | d]
}

/** RFC 5952 §4: lower-case hex without leading zeros, the longest run of two or more zero groups (the first of equals) as `::`. */
function ipv6Text(groups: readonly number[]): string {
  let start = -1
  let length = 0
  for (let i = 0; i < groups.length; i++) {
    if (groups[i] !== 0) continue
    let end = i
    while (end < groups.length && groups[end] === 0) end++
    if (end - i >= 2 && end - i > length) [start, length] = [i, end - i]
    i = end
  }
  const hex = groups.map((group) => group.toString(16))
  if (start < 0) return hex.join(':')
  return `${hex.slice(0, start).join(':')}::${hex.slice(start + length).join(':')}`
}

/**
 * The key a client address is counted by: an IPv4 address as it is, an IPv4-mapped IPv6 address as its
 * IPv4 address, any other IPv6 address as its /64.
 *
 * @example
 * addressKey('2001:db8:1:2:a:b:c:d') // '2001:db8:1:2::'
 * addressKey('::ffff:192.0.2.1') // '192.0.2.1'
 */
export function addressKey(ip: string): string {
  // Anything else (a proxy's X-Forwarded-For may say anything) is its own key, as the rate limiter always had it.
  if (!isIPv6(ip)) return ip.toLowerCase()
  const groups = ipv6Groups(ip.split('%')[0]!)
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff
  if (mapped) return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.')
  return ipv6Text([...groups.slice(0, PREFIX_GROUPS), 0, 0, 0, 0])
}
