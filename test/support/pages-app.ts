// A small Fastify app with the page support registered and one demo route per page, for the page-layer tests
// (test/pages/) and their screenshots (test/browser/pages.test.ts). The sign-in flow's own routes are elsewhere.
import formbody from '@fastify/formbody'
import Fastify, { type FastifyInstance } from 'fastify'
import { registerPageSupport, type PageSupport } from '../../src/pages/index.ts'

export const DEMO_SCOPES = [
  { name: 'openid' },
  { name: 'email' },
  { name: 'invoices:read', description: 'Read your invoices and their payment status' },
]

export interface PagesAppOptions {
  masterKey?: Buffer
  issuer?: string
  uiTitle?: string
  clientName?: string
}

export async function buildPagesApp(options: PagesAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  await app.register(formbody)
  const clientName = options.clientName ?? 'Acme Invoices'
  await app.register(async (scope) => {
    const p: PageSupport = await registerPageSupport(scope, {
      config: { uiTitle: options.uiTitle ?? 'Portcullis', issuer: options.issuer ?? 'http://localhost:3000' },
      masterKey: options.masterKey ?? Buffer.alloc(32, 1),
    })
    scope.get<{ Querystring: { error?: string } }>('/login', async (request, reply) =>
      p.renderLogin(
        reply,
        {
          action: '/login',
          clientName,
          hidden: { request_id: 'req-123' },
          ...(request.query.error ? { error: 'Wrong username or password.', username: 'alice' } : {}),
          redirectTarget: 'https://app.example.com/callback',
        },
        request.query.error ? 401 : 200,
      ),
    )
    scope.post('/login', { preHandler: p.csrfProtection }, async (request) => ({ accepted: request.body }))
    scope.get('/consent', async (_request, reply) =>
      p.renderConsent(reply, {
        action: '/consent',
        clientName,
        scopes: DEMO_SCOPES,
        hidden: { request_id: 'req-123' },
        username: 'alice',
      }),
    )
    scope.post('/consent', { preHandler: p.csrfProtection }, async (request) => ({ accepted: request.body }))
    scope.get('/error', async (_request, reply) =>
      p.renderError(reply, 400, {
        title: 'Unknown application',
        message: `The application "${clientName}" is not registered here, so you cannot sign in to it.`,
        backUrl: '/',
      }),
    )
    scope.get('/boom', async () => {
      throw new Error('database password is hunter2')
    })
    scope.get('/logged-out', async (_request, reply) => p.renderLoggedOut(reply))
    scope.get('/logout', async (_request, reply) =>
      p.renderLogoutConfirm(reply, { action: '/logout', clientName, hidden: { state: 'xyz' } }),
    )
    scope.get('/form-post', async (_request, reply) =>
      p.renderFormPost(reply, {
        redirectUri: 'https://app.example.com/callback',
        params: { code: 'abc', state: 'x"y', iss: 'http://localhost:3000' },
      }),
    )
  })
  await app.ready()
  return app
}
