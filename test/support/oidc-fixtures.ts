// Fixtures for the OpenID Connect tests: a relying party registered for openid, profile and email, a user with
// a name and an email, and a browser sign-in through app.inject ending in a code.
import type { FastifyInstance } from 'fastify'
import { sha256 } from '../../src/security/secrets.ts'
import type { Store } from '../../src/store/index.ts'
import { authorizeUrl, pkce, query, REDIRECT, seedSignIn, signInFlow } from './sign-in.ts'
import { basic, SECRET, tokenRequest } from './token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

export const RP = basic('rp', SECRET)

/** seedSignIn's clients and alice (who holds read and write only), plus `rp` (openid profile email read, refresh). */
export async function seedOidc(store: Store) {
  const { alice } = await seedSignIn(store)
  await store.clients.create({
    clientId: 'rp',
    name: 'Relying Party',
    secretHash: sha256(SECRET),
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'profile', 'email', 'read'],
    redirectUris: [REDIRECT],
    firstParty: true,
  })
  const user = await store.users.update(ANY_TENANT, alice.id, {
    email: 'alice@example.com',
    emailVerified: true,
    name: 'Alice Liddell',
  })
  return { alice: user }
}

/** Signs alice in for `rp` (first-party: no consent page) and returns the code, the verifier and the flow. */
export async function oidcCode(app: FastifyInstance, params: Record<string, string> = {}, flow = signInFlow(app)) {
  const { verifier, challenge } = pkce()
  const start = await flow.get(
    authorizeUrl({
      response_type: 'code',
      client_id: 'rp',
      redirect_uri: REDIRECT,
      scope: 'openid read',
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...params,
    }),
  )
  const back = start.headers.location?.startsWith('/oauth/login') ? await flow.login(start.headers.location) : start
  return { code: query(back.headers.location).code!, answer: query(back.headers.location), verifier, flow }
}

export const redeemCode = (app: FastifyInstance, code: string, verifier: string) =>
  tokenRequest(
    app,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
    { authorization: RP },
  )
