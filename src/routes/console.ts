// /console: the web console, a single-page app built by `npm run build` (web/console → dist/console) and served
// here with @fastify/static. Its files are static and public; everything it shows comes from the admin and /v1/me
// APIs with the token it got through the authorization code flow. A strict CSP: its own scripts and styles only
// (no inline script, no eval), calls to this origin only, never framed. The app's routes (/console/clients, …)
// all answer its index.html, which is never cached (it names the content-hashed assets of the current build).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { notFound, OAuthError } from '../errors.js'
import { errorBody } from './schemas.js'

/** dist/console from this module in src/routes/ (tsx) and in dist/routes/ (the build): both the checkout's. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url))

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const JS = 'text/javascript; charset=utf-8'
const CSS = 'text/css; charset=utf-8'
const ASSET = /^[A-Za-z0-9_-]{1,80}\.(js|css)$/

export async function registerConsoleRoutes(app: FastifyInstance, options: { root?: string } = {}): Promise<void> {
  const root = options.root ?? CONSOLE_DIR
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, { root, serve: false, index: false })
    scope.addHook('onSend', async (request, reply) => {
      // The media types the pages' own assets are served with (send's table says application/javascript).
      if (reply.statusCode === 200 && request.url.startsWith('/console/assets/'))
        reply.header('content-type', request.url.endsWith('.js') ? JS : CSS)
      reply
        .header('content-security-policy', CONSOLE_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('x-frame-options', 'DENY')
        .header('cross-origin-opener-policy', 'same-origin')
        .header('permissions-policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()')
    })

    /** The app's page, at /console/ and at each of its own addresses (the app routes in the browser). */
    const sendIndex = (reply: FastifyReply) => {
      // Built on demand by the tests and by `npm start`; a server started without a build says so.
      if (!existsSync(`${root}index.html`))
        throw new OAuthError('service_unavailable', 'the console is not built: run npm run build', 503)
      return reply.header('cache-control', 'no-store').sendFile('index.html', { cacheControl: false })
    }

    scope.get(
      '/console',
      {
        schema: {
          summary: 'The web console: redirects to /console/',
          tags: ['console'],
          response: { 302: { description: 'To /console/', type: 'null' } },
        },
      },
      async (_request, reply) => reply.redirect('/console/', 302),
    )
    const page = {
      description: 'The app’s page (never cached: it names the current build’s assets)',
      content: { 'text/html': { schema: { type: 'string' } } },
    }
    scope.get(
      '/console/',
      {
        schema: {
          summary: 'The web console, a single-page app',
          tags: ['console'],
          response: { 200: page, 503: errorBody },
        },
      },
      async (_request, reply) => sendIndex(reply),
    )
    scope.get<{ Params: { page: string } }>(
      '/console/:page',
      {
        schema: {
          summary: 'A page of the web console (the app routes in the browser): its callback, clients, users, …',
          tags: ['console'],
          params: {
            type: 'object',
            properties: { page: { type: 'string', pattern: '^[a-z][a-z-]{0,39}$' } },
            required: ['page'],
          },
          response: { 200: page, 400: errorBody, 503: errorBody },
        },
      },
      async (_request, reply) => sendIndex(reply),
    )
    scope.get<{ Params: { file: string } }>(
      '/console/assets/:file',
      {
        schema: {
          summary: 'A script or stylesheet of the web console (content-hashed name)',
          tags: ['console'],
          params: {
            type: 'object',
            properties: { file: { type: 'string', maxLength: 100 } },
            required: ['file'],
          },
          response: {
            200: {
              description: 'The file, cached for a year (its name changes with its content)',
              content: {
                'text/javascript': { schema: { type: 'string' } },
                'text/css': { schema: { type: 'string' } },
              },
            },
            404: errorBody,
          },
        },
      },
      async (request, reply) => {
        const { file } = request.params
        if (!ASSET.test(file) || !existsSync(`${root}assets/${file}`)) throw notFound('no such file of the console')
        return reply
          .header('cache-control', 'public, max-age=31536000, immutable')
          .sendFile(`assets/${file}`, { cacheControl: false })
      },
    )
  })
}
