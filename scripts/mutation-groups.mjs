// The module groups `npm run mutate` runs (stryker.config.mjs, scripts/mutate.mjs): the source files each one
// mutates and the test files, fastest first, that exercise them. SQLite only.

/** @type {Record<string, { mutate: string[], tests: string[] }>} */
export const groups = {
  'security-secrets': {
    mutate: ['src/security/secrets.ts'],
    tests: ['test/security/secrets.test.ts'],
  },
  'security-jwt-assertion': {
    mutate: ['src/security/jwt-assertion.ts'],
    tests: ['test/security/jwt-assertion.test.ts'],
  },
  'security-revocation-list': {
    mutate: ['src/security/revocation-list.ts'],
    tests: ['test/security/revocation-list.test.ts'],
  },
  'security-replay-cache': {
    mutate: ['src/security/replay-cache.ts'],
    tests: ['test/security/replay-cache.test.ts', 'test/security/dpop-replay.test.ts'],
  },
  // dpop-verifier: the proof checks as a unit (session 25: the first run, 79.04 %, had only the two endpoint files).
  'security-dpop': {
    mutate: ['src/security/dpop.ts'],
    tests: ['test/security/dpop-verifier.test.ts', 'test/security/dpop-proof.test.ts', 'test/oauth/dpop.test.ts'],
  },
  // bearer.test.ts: the authenticator as a unit (session 25: the first run, 23 %, had only the two files below,
  // which reach bearer.ts through whole requests and public-jwks.ts not at all).
  'security-bearer': {
    mutate: ['src/security/access-token-verifier.ts', 'src/security/bearer.ts'],
    tests: [
      'test/security/bearer.test.ts',
      'test/security/access-token-verifier.test.ts',
      'test/security/forged-tokens.test.ts',
    ],
  },
  // X-Tenant-Id and X-Workspace-Id on the admin API and /v1/me.
  'security-context-headers': {
    mutate: ['src/security/context-headers.ts'],
    tests: ['test/security/context-headers.test.ts'],
  },
  // The JWK Sets and jwks_uri a private_key_jwt client registers (admin API and CLI).
  'security-public-jwks': {
    mutate: ['src/security/public-jwks.ts'],
    tests: ['test/security/public-jwks.test.ts'],
  },
  // The three unit files: the verifier, the public keys and the lifecycle as units (session 26: the first run,
  // 63.96 %, had only the three files after them).
  'security-access-keys': {
    mutate: ['src/security/access-key*.ts'],
    tests: [
      'test/security/access-key-verifier.test.ts',
      'test/security/access-key-pairs.test.ts',
      'test/security/access-key-lifecycle.test.ts',
      'test/security/access-keys.test.ts',
      'test/security/access-key-lineage.test.ts',
      'test/manage/key-pair-access-keys.test.ts',
    ],
  },
  // password-worker.ts runs in a worker thread, where the tap runner sees no coverage: it is left out.
  'security-passwords': {
    mutate: ['src/security/password-hasher.ts', 'src/security/passwords.ts'],
    tests: ['test/security/password-hasher.test.ts', 'test/oauth/token-password.test.ts'],
  },
  'oauth-client-address': {
    mutate: ['src/oauth/client-address.ts'],
    tests: ['test/oauth/client-address.test.ts'],
  },
  'oauth-client-cache': {
    mutate: ['src/oauth/client-cache.ts'],
    tests: ['test/oauth/client-cache.test.ts'],
  },
  'oauth-client-auth': {
    mutate: ['src/oauth/client-auth.ts', 'src/oauth/client-assertion.ts', 'src/oauth/client-keys.ts'],
    tests: [
      'test/oauth/client-auth.test.ts',
      'test/oauth/token-errors.test.ts',
      'test/oauth/private-key-jwt.test.ts',
      'test/oauth/private-key-jwt-uri.test.ts',
    ],
  },
  'oauth-token-endpoint': {
    mutate: [
      'src/oauth/token-endpoint.ts',
      'src/oauth/token-response.ts',
      'src/oauth/token-kind.ts',
      'src/oauth/form-body.ts',
      'src/oauth/scope.ts',
      'src/oauth/audience.ts',
      'src/oauth/rate-limits.ts',
      'src/oauth/rate-limit-stores.ts',
    ],
    // form-scope-kind: the parser, scope and token kind as units; dpop and token-exchange: the DPoP binding and
    // issued_token_type the endpoint adds (session 24: what the first run, 68.37 %, left to other files).
    tests: [
      'test/oauth/form-scope-kind.test.ts',
      'test/oauth/token-errors.test.ts',
      'test/oauth/token-grants.test.ts',
      'test/oauth/own-audience.test.ts',
      'test/oauth/rate-limit.test.ts',
      'test/oauth/dpop.test.ts',
      'test/oauth/token-exchange.test.ts',
    ],
  },
  // The unit files of test/oauth/grants/ first (session 26: the first run, 51.08 %, had only the four endpoint files
  // below, which never reach authorization-code.ts); workspace.ts is what the grants call to pick a workspace.
  'oauth-grants': {
    mutate: ['src/oauth/grants/*.ts', 'src/oauth/workspace.ts'],
    tests: [
      'test/oauth/grants/grant.test.ts',
      'test/oauth/grants/client-credentials.test.ts',
      'test/oauth/grants/authorization-code.test.ts',
      'test/oauth/grants/refresh-token.test.ts',
      'test/oauth/grants/password.test.ts',
      'test/oauth/grants/jwt-bearer.test.ts',
      'test/oauth/grants/token-exchange.test.ts',
      'test/oauth/token-grants.test.ts',
      'test/oauth/token-password.test.ts',
      'test/oauth/jwt-bearer.test.ts',
      'test/oauth/token-exchange.test.ts',
    ],
  },
  // Two groups rather than one, so that each run is short enough to finish (and be recorded) in one sitting.
  'oauth-revocation': {
    mutate: ['src/oauth/revocation.ts'],
    tests: ['test/oauth/revocation.test.ts', 'test/oauth/introspection.test.ts'],
  },
  // introspection.ts in two halves by lines (Stryker's `file:from-to`), for the same reason.
  'oauth-introspection-caller': {
    mutate: ['src/oauth/introspection.ts:1-165'],
    // Who may see which tenant's tokens (tenant-sign-in) and what each caller is counted for (usage).
    tests: [
      'test/oauth/introspection.test.ts',
      'test/oauth/introspection-answers.test.ts',
      'test/oauth/revocation.test.ts',
      'test/oauth/tenant-sign-in.test.ts',
      'test/ops/usage.test.ts',
    ],
  },
  'oauth-introspection-tokens': {
    mutate: ['src/oauth/introspection.ts:166-255'],
    // Tenants' tokens (tenant-sign-in) and DPoP-bound ones (dpop) are introspected by the files of their features.
    tests: [
      'test/oauth/introspection.test.ts',
      'test/oauth/introspection-answers.test.ts',
      'test/oauth/revocation.test.ts',
      'test/oauth/tenant-sign-in.test.ts',
      'test/oauth/dpop.test.ts',
    ],
  },
  // The browser sign-in, in four groups rather than one of ~990 mutants, so that each run fits a sitting.
  'oauth-authorize-request': {
    mutate: [
      'src/oauth/authorize/request.ts',
      'src/oauth/authorize/redirect-uri.ts',
      'src/oauth/authorize/response.ts',
      'src/oauth/authorize/flow.ts',
      'src/oauth/authorize/session-cookie.ts',
    ],
    // The unit files of test/oauth/authorize/ first (session 26: the first run, 73.39 %, had only the four below).
    tests: [
      'test/oauth/authorize/request.test.ts',
      'test/oauth/authorize/redirect-uri-rules.test.ts',
      'test/oauth/authorize/flow.test.ts',
      'test/oauth/authorize/response.test.ts',
      'test/oauth/redirect-uri.test.ts',
      'test/oauth/authorize-client.test.ts',
      'test/oauth/authorize.test.ts',
      'test/oauth/session-replace.test.ts',
    ],
  },
  'oauth-authorize-delegation': {
    mutate: [
      'src/oauth/authorize/delegation.ts',
      'src/oauth/authorize/login.ts',
      'src/oauth/end-login.ts',
      'src/oauth/login-waiters.ts',
    ],
    // The three unit files first (session 26: the first run, 57.87 %, had only the three after them).
    tests: [
      'test/oauth/authorize/delegation.test.ts',
      'test/oauth/authorize/login.test.ts',
      'test/oauth/login-waiters.test.ts',
      'test/oauth/end-login.test.ts',
      'test/oauth/delegated-login.test.ts',
      'test/oauth/authorize.test.ts',
    ],
  },
  'oauth-oidc': {
    mutate: ['src/oauth/id-token.ts', 'src/oauth/authorize/id-token-hint.ts', 'src/oauth/authorize/logout.ts'],
    // The three unit files first (session 26: the first run, 58.96 %, had only the four below).
    tests: [
      'test/oauth/id-token-claims.test.ts',
      'test/oauth/authorize/id-token-hint.test.ts',
      'test/oauth/authorize/logout-request.test.ts',
      'test/oauth/oidc.test.ts',
      'test/oauth/id-token-signing-alg.test.ts',
      'test/oauth/logout.test.ts',
      'test/oauth/logout-hint.test.ts',
    ],
  },
  'oauth-login-attempts-cors': {
    mutate: ['src/oauth/login-attempts.ts', 'src/oauth/cors-origins.ts'],
    // The two unit files first (session 26: the first run, 71.91 %, had only the four after them).
    tests: [
      'test/oauth/login-attempts.test.ts',
      'test/oauth/cors-origins.test.ts',
      'test/oauth/token-password.test.ts',
      'test/oauth/tenant-login-throttle.test.ts',
      'test/oauth/authorize.test.ts',
      'test/http/cors.test.ts',
    ],
  },
  // postgres.ts runs only against PostgreSQL; mutation runs are SQLite-only, so it is left out.
  'store-refresh-tokens': {
    mutate: [
      'src/store/refresh-tokens/index.ts',
      'src/store/refresh-tokens/sqlite.ts',
      'src/store/refresh-tokens/sql.ts',
    ],
    tests: [
      'test/store/refresh-tokens.test.ts',
      'test/oauth/token-grants.test.ts',
      'test/oauth/token-concurrency.test.ts',
    ],
  },
}
