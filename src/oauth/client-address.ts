// The address a client is counted by, wherever requests or failures are counted per address: the token
// endpoint's rate limit (rate-limits.ts) and the password grant's failure counters (login-attempts.ts).
// One function, so that both group alike. An IPv6 client usually holds a whole /64 (RFC 4291 §2.5.4 and
// RFC 6177: a site gets at least a /64, and privacy addresses, RFC 8981, change within it at will), so counting
// each address apart would give one client 2^64 quotas: an IPv6 address counts as its /64. An IPv4-mapped IPv6
// address (::ffff:192.0.2.1, RFC 4291 §2.5.5.2, what a dual-stack socket reports for an IPv4 peer) is that
// IPv4 address, so one client is counted once whichever socket it came through.
//
// @fastify/rate-limit's own normalizeIP() does exactly this, and its keys are the ones the rate limiter's
// counters (in Redis, across instances) already have.
import { normalizeIP } from '@fastify/rate-limit'

const IPV6_PREFIX_LENGTH = 64

/**
 * The key a client address is counted by: an IPv4 address as it is, an IPv4-mapped IPv6 address as its
 * IPv4 address, any other IPv6 address as its /64.
 *
 * @example
 * addressKey('2001:db8:1:2:a:b:c:d') // '2001:db8:1:2::'
 * addressKey('::ffff:192.0.2.1') // '192.0.2.1'
 */
export const addressKey = (ip: string): string => normalizeIP(ip, IPV6_PREFIX_LENGTH)
