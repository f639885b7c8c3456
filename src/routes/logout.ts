// GET/POST /oauth/logout (OpenID Connect RP-Initiated Logout 1.0): ends this browser's session and what was
// issued in it, after the user confirms (a form with a CSRF token: a link on another site cannot sign anyone
// out), then returns to post_logout_redirect_uri only when it exactly equals one registered for the client
// (client_id) — never an open redirect — with `state`; otherwise shows the signed-out page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../services.js'
import { checkCsrfToken, csrfToken, deriveCsrfKey, newCsrfCookie } from '../oauth/authorize/csrf.js'
import { findSignedIn } from '../oauth/authorize/flow.js'
import { endSession, matchPostLogoutRedirectUri } from '../oauth/authorize/logout.js'
import { singleParameters } from '../oauth/authorize/request.js'
import { cookieNames, readCookie, setCookie } from '../oauth/authorize/session-cookie.js'
import { errorPage, loggedOutPage, logoutConfirmPage, sendPage } from './sign-in-html.js'

export type LogoutRouteDeps = Pick<Services, 'config' | 'store' | 'now' | 'revocations' | 'masterKey'>

const param = (description: string) => ({ description }) as const
const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } }) as const

const logoutParameters = {
  type: 'object',
  properties: {
    id_token_hint: param('An ID token of ours (accepted; the user is still asked to confirm)'),
    client_id: param('The client whose post_logout_redirect_uri is asked for'),
    post_logout_redirect_uri: param('One of the client’s registered post-logout redirect URIs, exactly'),
    state: param('Returned exactly as sent'),
    confirm: param('POST: yes, from the confirmation form'),
    csrf: param('POST: the confirmation form’s CSRF token'),
  },
} as const

export function registerLogoutRoutes(app: FastifyInstance, deps: LogoutRouteDeps): void {
  const { config, store } = deps
  const names = cookieNames(config)
  const csrfKey = deriveCsrfKey(deps.masterKey)

  async function logout(request: FastifyRequest, reply: FastifyReply, source: unknown, posted: boolean) {
    const now = deps.now()
    const { params } = singleParameters(source)
    const client = params.client_id === undefined || params.client_id.length > 255 ? undefined : await store.clients.findById(params.client_id)
    const back = matchPostLogoutRedirectUri(client, params.post_logout_redirect_uri)
    if (params.post_logout_redirect_uri !== undefined && back === undefined) {
      return sendPage(reply, 400, errorPage('The address to return to after signing out is not registered for this application.'))
    }
    const signedIn = await findSignedIn(deps, readCookie(request.headers.cookie, names.session), now)
    if (signedIn) {
      let csrfCookie = readCookie(request.headers.cookie, names.csrf)
      const confirmed = posted && params.confirm === 'yes'
      if (confirmed && !checkCsrfToken(csrfKey, 'logout', csrfCookie, signedIn.session.id, params.csrf)) {
        return sendPage(reply, 403, errorPage('The form has expired. Go back and reload the page.'))
      }
      if (!confirmed) {
        if (!csrfCookie || !/^[A-Za-z0-9_-]{43}$/.test(csrfCookie)) {
          csrfCookie = newCsrfCookie()
          reply.header('set-cookie', setCookie(config, names.csrf, csrfCookie, config.sessionTtl))
        }
        const fields = { client_id: params.client_id, post_logout_redirect_uri: back, state: back ? params.state : undefined }
        return sendPage(reply, 200, logoutConfirmPage({ csrf: csrfToken(csrfKey, 'logout', csrfCookie, signedIn.session.id), fields }))
      }
      await endSession(deps, signedIn.session, { ip: request.ip, clientId: client?.clientId })
    }
    if (readCookie(request.headers.cookie, names.session) !== undefined) reply.header('set-cookie', setCookie(config, names.session, '', 0))
    if (back === undefined) return sendPage(reply, 200, loggedOutPage())
    const url = new URL(back)
    if (params.state !== undefined) url.searchParams.append('state', params.state)
    return reply.code(303).headers({ location: url.href, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).send()
  }

  const schema = (method: string) => ({
    tags: ['sign-in'],
    summary: `RP-initiated logout (${method}): asks the signed-in user to confirm, ends the session and the refresh tokens issued in it`,
    ...(method === 'GET' ? { querystring: logoutParameters } : { body: logoutParameters, consumes: ['application/x-www-form-urlencoded'] }),
    response: {
      200: html('The confirmation form, or the signed-out page'),
      303: { description: 'To the registered post_logout_redirect_uri, with state', headers: { Location: { type: 'string' } }, type: 'null' },
      400: html('post_logout_redirect_uri is not registered for the client'),
      ...(method === 'POST' ? { 403: html('No valid CSRF token') } : {}),
    },
  })
  app.get('/oauth/logout', { schema: schema('GET') }, (request, reply) => logout(request, reply, request.query, false))
  app.post('/oauth/logout', { schema: schema('POST') }, (request, reply) => logout(request, reply, request.body, true))
}
