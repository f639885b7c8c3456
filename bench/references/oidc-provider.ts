// Reference "node-oidc-provider": the most-used Node.js authorization server (the `oidc-provider`
// package), in its default process model (one process, its default in-memory adapter), with one
// confidential client allowed client_credentials and RS256 JWT access tokens through resource
// indicators (accessTokenFormat 'jwt'), and an RSA key of the same size as ours.
import { generateKeyPairSync } from 'node:crypto'
import Provider from 'oidc-provider'
import { exitOnSignal, referenceArgs } from './args.ts'

const { port, values } = referenceArgs({
  'key-size': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
})
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: Number(values['key-size'] ?? 2048) })
const resource = 'https://api.bench.test'
const issuer = `http://127.0.0.1:${port}`

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: values['client-id'] ?? 'bench-client',
      client_secret: values['client-secret'] ?? 'bench-secret-bench-secret-bench-secret-123',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'read write',
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' }] },
  scopes: ['read', 'write'],
  ttl: { ClientCredentials: 900 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'read write',
        audience: resource,
        accessTokenTTL: 900,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
})
const server = provider.listen(port, '127.0.0.1')
exitOnSignal(() => new Promise((resolve) => server.close(resolve)))
