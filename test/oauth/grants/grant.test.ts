// The grant contract's one piece of behaviour (src/oauth/grants/grant.ts): refreshBinding, RFC 9449 §5's rule for
// which refresh tokens a DPoP proof binds, on each side of both its conditions. Through the grants:
// authorization-code.test.ts (a public client's first refresh family), test/oauth/dpop.test.ts.
import t from 'tap'
import { type GrantRequest, refreshBinding } from '../../../src/oauth/grants/grant.ts'
import { clientRow } from '../../support/client-row.ts'

const request = (isPublic: boolean, dpopJkt: string | undefined): GrantRequest => ({
  client: clientRow({ clientId: 'app', isPublic, secretHash: isPublic ? null : 'x' }),
  authMethod: isPublic ? 'none' : 'client_secret_basic',
  params: {},
  scope: undefined,
  resource: undefined,
  audience: 'https://api.example',
  now: 1_800_000_000_000,
  ip: '203.0.113.9',
  dpopJkt,
})

t.test("RFC 9449 §5: a public client's refresh tokens are bound to its proof's key", async (t) => {
  t.strictSame(refreshBinding(request(true, 'jkt-1')), { dpopJkt: 'jkt-1' }, 'a public client with a proof')
  t.strictSame(refreshBinding(request(true, undefined)), {}, 'a public client without a proof: unbound')
})

t.test("a confidential client's are bound by its authentication already", async (t) => {
  t.strictSame(refreshBinding(request(false, 'jkt-1')), {}, 'with a proof: no field')
  t.strictSame(refreshBinding(request(false, undefined)), {}, 'without one')
})

t.test('the field is the whole answer, ready to spread into a new family', async (t) => {
  const bound = refreshBinding(request(true, 'jkt-1'))
  t.strictSame(Object.keys(bound), ['dpopJkt'])
  t.strictSame({ audience: 'a', ...refreshBinding(request(false, 'jkt-1')) }, { audience: 'a' })
})
