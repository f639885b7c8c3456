// The key a client address is counted by (src/oauth/client-address.ts), shared by the token endpoint's rate
// limit and the password grant's failure counters: an IPv6 address counts as its /64, an IPv4-mapped one as
// its IPv4 address, in the very text @fastify/rate-limit's normalizeIP() made (the limiter's keys, in Redis
// across instances, must not change under a running deployment).
import t from 'tap'
import { normalizeIP } from '@fastify/rate-limit'
import { addressKey } from '../../src/oauth/client-address.ts'

t.test('an IPv6 address counts as its /64, an IPv4-mapped one as its IPv4 address', async (t) => {
  t.equal(addressKey('2001:db8:1:2:a:b:c:d'), '2001:db8:1:2::')
  t.equal(addressKey('2001:DB8:0001:0002::ffff'), '2001:db8:1:2::', 'case and leading zeros do not matter')
  t.equal(addressKey('2001:db8:1:3::1'), '2001:db8:1:3::', 'the next /64 is another key')
  t.equal(addressKey('fe80::1%eth0'), 'fe80::', 'a zone does not matter')
  t.equal(addressKey('::ffff:198.51.100.7'), '198.51.100.7')
  t.equal(addressKey('::ffff:c633:6407'), '198.51.100.7', 'in hex too')
  t.equal(addressKey('198.51.100.7'), '198.51.100.7')
})

t.test('the keys are the ones the rate limiter always made', async (t) => {
  const addresses = [
    '192.0.2.1',
    '::',
    '::1',
    '::ffff:1.2.3.4',
    '::FFFF:c000:0201',
    '2001:db8::1',
    '2001:DB8:0:0:1:2:3:4',
    '2001:0:0:1::',
    'fe80::1%eth0',
    '0:0:1::',
    '1::',
    '1:0:0:1::',
    '1:0:2:0::',
    '0:1:0:0::',
    '1:2:3:4:5:6:7:8',
    '64:ff9b::1.2.3.4',
    '::1.2.3.4',
    'not-an-address',
    'UNKNOWN',
  ]
  for (const address of addresses) t.equal(addressKey(address), normalizeIP(address), address)
})
