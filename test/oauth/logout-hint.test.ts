// RP-initiated logout with id_token_hint (OpenID Connect RP-Initiated Logout 1.0 §2, §3): a hint of ours whose
// sid is this browser's session signs out without the confirmation page, even once expired; a hint for another
// session, or none, asks; a hint not issued here (forged, re-signed, an access token) is a 400 page.
import { CompactSign, decodeProtectedHeader, generateKeyPair } from 'jose'
import t from 'tap'
import { build, providers } from '../support/helper.ts'
import { oidcCode, seedOidc } from '../support/oidc-fixtures.ts'
import { REDIRECT, signInFlow } from '../support/sign-in.ts'
import { basic, SECRET, tokenRequest } from '../support/token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

const BYE = 'https://app.example/bye'
const RP2 = basic('rp2', SECRET)

for (const provider of providers) {
  t.test(`logout with id_token_hint on ${provider}`, async (t) => {
    let clock = Date.now()
    const { app, store } = await build(t, { provider, now: () => clock })
    await seedOidc(store)
    await store.clients.create({
      clientId: 'rp2',
      name: 'Relying Party 2',
      secretHash: (await store.clients.findById(ANY_TENANT, 'rp'))!.secretHash,
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'read'],
      redirectUris: [REDIRECT],
      postLogoutRedirectUris: [BYE],
      firstParty: true,
    })

    /** Signs alice in for rp2 in `flow`'s browser; its ID token (sid: the session) and refresh token. */
    async function signIn(flow = signInFlow(app), extra: Record<string, string> = {}) {
      const { code, verifier } = await oidcCode(app, { client_id: 'rp2', ...extra }, flow)
      const tokens = await tokenRequest(
        app,
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
        { authorization: RP2 },
      )
      t.equal(tokens.statusCode, 200)
      const body = tokens.json() as { id_token: string; access_token: string; refresh_token: string }
      return { flow, idToken: body.id_token, accessToken: body.access_token, refreshToken: body.refresh_token }
    }

    const refreshes = async (refreshToken: string) =>
      (await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: RP2 }))
        .statusCode === 200
    const logoutUrl = (params: Record<string, string>) => `/oauth/logout?${new URLSearchParams(params)}`

    t.test(
      'a hint whose sid is this session signs out at once: no confirmation page, the session and its refresh tokens end, back to the URI registered for the hint’s client, with state',
      async (t) => {
        const { flow, idToken, refreshToken } = await signIn()
        const response = await flow.get(
          logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 's1' }),
        )
        t.equal(response.statusCode, 303)
        t.equal(response.headers.location, `${BYE}?state=s1`)
        t.notOk(flow.jar.cookies.has('portcullis-session'), 'the cookie is cleared')
        t.notOk(await refreshes(refreshToken), 'the refresh token is revoked')
        t.equal((await store.audit.list(ANY_TENANT, { limit: 1, type: 'logout' })).items[0]?.details.clientId, 'rp2')
      },
    )

    t.test('a client’s own POST with the hint needs no CSRF token either', async (t) => {
      const { flow, idToken } = await signIn()
      const response = await flow.post('/oauth/logout', { id_token_hint: idToken, client_id: 'rp2' })
      t.equal(response.statusCode, 200)
      t.match(response.body, /You are signed out/)
      t.notOk(flow.jar.cookies.has('portcullis-session'))
    })

    t.test('an expired hint of ours is still a hint (RP-Initiated Logout §2)', async (t) => {
      const { flow, idToken } = await signIn()
      clock += 2 * 3600_000 // the ID token lives ACCESS_TOKEN_TTL (900 s); the session a day
      const response = await flow.get(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: BYE }))
      t.equal(response.statusCode, 303)
      t.equal(response.headers.location, BYE)
    })

    t.test('without a hint, or with one for another session, the user is asked to confirm', async (t) => {
      const { idToken: otherSession } = await signIn()
      const { flow, refreshToken, idToken: endedSession } = await signIn()
      // The same browser signed in again (prompt=login): its first ID token names a session that has ended.
      clock += 1000
      const renewed = await signIn(flow, { prompt: 'login' })
      for (const params of [{}, { id_token_hint: otherSession }, { id_token_hint: endedSession }] as Record<
        string,
        string
      >[]) {
        const response = await flow.get(logoutUrl({ ...params, post_logout_redirect_uri: BYE, client_id: 'rp2' }))
        t.equal(response.statusCode, 200, JSON.stringify(Object.keys(params)))
        t.match(response.body, /Sign out\?/)
      }
      t.ok(await refreshes(renewed.refreshToken), 'nothing ended')
      t.ok(await refreshes(refreshToken), 'nothing ended')
    })

    t.test('a hint not issued here is a 400 page and ends nothing', async (t) => {
      const { flow, idToken, accessToken, refreshToken } = await signIn()
      const [header, payload, signature] = idToken.split('.') as [string, string, string]
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${signature}`
      const { privateKey } = await generateKeyPair('RS256')
      const { kid } = decodeProtectedHeader(idToken)
      const sign = (protectedHeader: Record<string, unknown>, body: Record<string, unknown>) =>
        new CompactSign(new TextEncoder().encode(JSON.stringify(body)))
          .setProtectedHeader({ alg: 'RS256', ...protectedHeader })
          .sign(privateKey)
      const forged = {
        tampered,
        'signed by another key under our kid': await sign({ typ: 'JWT', kid }, claims),
        'an access token': accessToken,
        'alg none': `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid })).toString('base64url')}.${payload}.`,
        'not a JWT': 'not-a-jwt',
      }
      for (const [name, hint] of Object.entries(forged)) {
        const response = await flow.get(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: BYE }))
        t.equal(response.statusCode, 400, name)
        t.equal(response.headers.location, undefined, name)
        t.match(response.body, /not issued here/, name)
      }
      t.ok(await refreshes(refreshToken), 'still signed in')
      t.ok(flow.jar.cookies.has('portcullis-session'))
    })

    t.test('a hint under a key we do not publish is no hint: the user is asked', async (t) => {
      const { flow, idToken } = await signIn()
      const claims = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
      const { privateKey } = await generateKeyPair('RS256')
      const unknownKid = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'retired-long-ago' })
        .sign(privateKey)
      const response = await flow.get(logoutUrl({ id_token_hint: unknownKid }))
      t.equal(response.statusCode, 200)
      t.match(response.body, /Sign out\?/)
    })

    t.test('client_id must be the client the hint was issued to', async (t) => {
      const { flow, idToken, refreshToken } = await signIn()
      const response = await flow.get(logoutUrl({ id_token_hint: idToken, client_id: 'rp' }))
      t.equal(response.statusCode, 400)
      t.match(response.body, /issued to another/)
      t.ok(await refreshes(refreshToken), 'still signed in')
    })
  })
}
