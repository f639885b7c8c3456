// The page layer of browser sign-in (issue #19): templates, stylesheet, security headers, CSRF and the error page
// of the server-rendered login, consent and logout pages. It decides nothing about the flow: the routes of
// oauth/authorize call the render helpers it returns.
import { hkdfSync } from 'node:crypto'
import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import helmet from '@fastify/helmet'
import view from '@fastify/view'
import { Eta } from 'eta'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../config.js'
import { PAGES_DIR, registerAssets } from './assets.js'
import { contentSecurityPolicy } from './csp.js'
import { registerPageErrorHandler } from './error-page.js'
import { createPages, type Pages } from './render.js'

export type { Pages } from './render.js'
export type * from './models.js'
export { DEFAULT_SCOPE_DESCRIPTIONS } from './models.js'
export { contentSecurityPolicy } from './csp.js'

export interface PageSupport extends Pages {
  /** preHandler for every page POST: without a valid `_csrf` field (and its cookie) the answer is the 403 page. */
  csrfProtection: FastifyInstance['csrfProtection']
  /** Name of the cookie holding the CSRF secret (`__Host-` prefixed when the issuer is https). */
  csrfCookieName: string
}

export interface PageDeps {
  config: Pick<Config, 'uiTitle' | 'issuer'>
  /** The master key: every instance derives the same cookie-signing key, so each accepts the others' forms. */
  masterKey: Buffer
}

function deriveKey(masterKey: Buffer, purpose: string): string {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `portcullis pages ${purpose}`, 32)).toString(
    'base64url',
  )
}

/**
 * Sets up the pages in `scope`, which must be an encapsulated plugin's instance: the plugins registered here
 * (view, cookie, CSRF, helmet) and the error handler apply to the routes of that scope only.
 *
 * @example
 * await app.register(async (scope) => {
 *   const pages = await registerPageSupport(scope, { config, masterKey })
 *   scope.get('/oauth/authorize', async (request, reply) => pages.renderLogin(reply, { action: '/oauth/login', clientName: 'Acme' }))
 *   scope.post('/oauth/login', { preHandler: pages.csrfProtection }, async (request, reply) => …)
 * })
 */
export async function registerPageSupport(scope: FastifyInstance, deps: PageDeps): Promise<PageSupport> {
  const secure = deps.config.issuer.startsWith('https:')
  const csrfCookieName = secure ? '__Host-portcullis-csrf' : 'portcullis-csrf'

  await scope.register(cookie, { secret: deriveKey(deps.masterKey, 'cookie signing') })
  await scope.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: csrfCookieName,
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true },
    logLevel: 'info',
  })
  await scope.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: parseDirectives(contentSecurityPolicy()) },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: secure ? { maxAge: 31536000 } : false,
  })
  await scope.register(view, {
    engine: { eta: new Eta({ autoEscape: true, autoTrim: false }) },
    templates: `${PAGES_DIR}templates`,
    production: true,
    layout: 'layout',
  })
  // Pages carry CSRF tokens and personal data: never stored by a browser or a shared cache.
  scope.addHook('onSend', async (_request, reply, payload) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) reply.header('cache-control', 'no-store')
    return payload
  })

  const pages = createPages({ uiTitle: deps.config.uiTitle, assets: registerAssets(scope) })
  registerPageErrorHandler(scope, pages)
  return { ...pages, csrfProtection: scope.csrfProtection, csrfCookieName }
}

function parseDirectives(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy.split('; ').map((directive) => {
      const [name, ...values] = directive.split(' ')
      return [name!, values]
    }),
  )
}
