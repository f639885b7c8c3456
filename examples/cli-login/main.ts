// A CLI that signs a person in through their browser (authorization code with PKCE, loopback redirect), keeps the
// tokens in a file (every rotated refresh token written before it is used), and calls the API with auto-refresh.
// Run: PORTCULLIS_URL=http://127.0.0.1:3000 PORTCULLIS_CLIENT_ID=cli API_URL=http://127.0.0.1:4000 \
//      npx tsx --conditions=portcullis-source examples/cli-login/main.ts
// (the client registered with --redirect-uris http://127.0.0.1/callback; any port matches, RFC 8252 §7.3)
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import {
  type AuthStrategy,
  createFetch,
  type Environment,
  loopbackSignIn,
  SignedOutError,
  type TokenSet,
  tokens,
} from '@portcullis/client'

export interface CliOptions {
  env: Environment
  /** Where the tokens are kept (mode 0600). */
  tokenFile?: string
  /** Shows the sign-in address (a real CLI would also open the browser). */
  open?: (url: string) => unknown
  print?: (line: string) => void
}

export async function main(options: CliOptions): Promise<void> {
  const { env } = options
  const print = options.print ?? console.log
  const need = (name: string) => {
    const value = env[name]
    if (!value) throw new Error(`${name} is not set`)
    return value
  }
  const issuer = need('PORTCULLIS_URL')
  const clientId = need('PORTCULLIS_CLIENT_ID')
  const apiUrl = need('API_URL')
  const file = options.tokenFile ?? join(homedir(), '.objects-cli-tokens.json')
  const save = (set: TokenSet) => writeFileSync(file, JSON.stringify(set), { mode: 0o600 })
  const signIn = () =>
    loopbackSignIn({
      issuer,
      clientId,
      scope: 'read write',
      onTokens: save,
      open: options.open ?? ((url) => print(`Open this address to sign in: ${url}`)),
    })

  let auth: AuthStrategy = existsSync(file)
    ? tokens({ issuer, clientId, ...(JSON.parse(readFileSync(file, 'utf8')) as TokenSet), onTokens: save })
    : await signIn()
  const list = async () => (await createFetch(auth, { baseUrl: apiUrl })('/objects')).json()
  let answer: unknown
  try {
    answer = await list()
  } catch (error) {
    if (!(error instanceof SignedOutError)) throw error
    print('Your sign-in has ended; signing in again.')
    auth = await signIn()
    answer = await list()
  }
  print(JSON.stringify(answer))
}

if (import.meta.url === `file://${process.argv[1]}`) await main({ env: process.env })
