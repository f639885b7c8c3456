// The authorization-code pool: codes as /oauth/authorize leaves them after a sign-in and a consent, written
// straight into the database through the store functions (no browser, no login page), so that what the
// authorization_code scenario measures is only the token endpoint redeeming a fresh code. Each code is used
// once; all share one PKCE verifier (the benchmark's, known to it) and the confidential web client made here.
import { createHash, randomBytes } from 'node:crypto'
import { sha256 } from '../src/security/secrets.ts'
import { createStore, openDatabase } from '../src/store/index.ts'
import type { ClientCredentials } from './fixtures.ts'
import { basicAuth } from './lib/load.ts'
import { DEFAULT_TENANT_ID } from '../src/store/index.ts'

export interface CodeClient extends ClientCredentials {
  redirectUri: string
  /** The PKCE code_verifier of every code of the pool. */
  verifier: string
}

export interface CodePool {
  client: CodeClient
  codes: string[]
}

const REDIRECT_URI = 'https://app.bench/callback'
/** Created in batches of this many concurrent inserts. */
const BATCH = 200

/**
 * A confidential client registered for authorization_code and refresh_token (a web app, as most are), and `count`
 * unused codes of the pool user for it, scope `read`, valid for `validSeconds` (beyond AUTHORIZATION_CODE_TTL's
 * 600 s ceiling, which /oauth/authorize applies and the store does not: a full run lasts ~10 minutes).
 */
export async function mintAuthorizationCodes(options: {
  databaseUrl: string
  username: string
  audience: string
  count: number
  validSeconds: number
}): Promise<CodePool> {
  const db = await openDatabase(options.databaseUrl)
  try {
    const store = createStore(db)
    const user = await store.users.findByUsername(DEFAULT_TENANT_ID, options.username)
    if (!user) throw new Error(`no user ${options.username}`)
    const client: CodeClient = {
      clientId: 'bench-web',
      secret: randomBytes(32).toString('base64url'),
      authorization: '',
      redirectUri: REDIRECT_URI,
      verifier: randomBytes(32).toString('base64url'),
    }
    client.authorization = basicAuth(client.clientId, client.secret)
    await store.clients.create({
      clientId: client.clientId,
      name: 'bench web',
      secretHash: sha256(client.secret),
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['read', 'write'],
      redirectUris: [REDIRECT_URI],
    })
    const now = new Date()
    const challenge = createHash('sha256').update(client.verifier).digest('base64url')
    const common = {
      tenantId: user.tenantId,
      clientId: client.clientId,
      userId: user.id,
      sessionId: null,
      redirectUri: REDIRECT_URI,
      redirectUriSent: true,
      codeChallenge: challenge,
      scope: ['read'],
      audience: options.audience,
      nonce: null,
      authTime: now,
      expiresAt: new Date(now.getTime() + options.validSeconds * 1000),
    }
    const codes: string[] = []
    while (codes.length < options.count) {
      const batch = Array.from({ length: Math.min(BATCH, options.count - codes.length) }, () =>
        randomBytes(32).toString('base64url'),
      )
      await Promise.all(
        batch.map((code) => store.authorizationCodes.create({ ...common, codeHash: sha256(code) }, now)),
      )
      codes.push(...batch)
    }
    return { client, codes }
  } finally {
    await db.close()
  }
}
