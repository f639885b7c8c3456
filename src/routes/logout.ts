// GET/POST /oauth/logout (OpenID Connect RP-Initiated Logout 1.0): ends this browser's session and what was
// issued in it, then returns to post_logout_redirect_uri only when it exactly equals one registered for the
// client (client_id, or the audience of id_token_hint), never an open redirect, with `state`; otherwise shows
// the signed-out page. The user is asked to confirm (a form with a CSRF token: a link on another site cannot
// sign anyone out) unless the request carries an id_token_hint of ours whose `sid` is this browser's session:
// then it comes from a client the user signed in to in this session (§2, §3: confirmation is for when the OP
// cannot tell). A hint that is not ours (bad signature, other issuer) is refused; an expired one is a hint.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../services.js'
import { findSignedIn } from '../oauth/authorize/flow.js'
import { checkIdTokenHint } from '../oauth/authorize/id-token-hint.js'
import { endSession, matchPostLogoutRedirectUri } from '../oauth/authorize/logout.js'
import { singleParameters } from '../oauth/authorize/request.js'
import { sessionCookieName, sessionCookieOptions } from '../oauth/authorize/session-cookie.js'
import type { PageSupport } from '../pages/index.js'
import { ANY_TENANT } from '../store/tenant-scope.js'
import { bodyString, htmlResponse, pageForm, seeOther } from './authorize.js'

export type LogoutRouteDeps = Pick<Services, 'config' | 'store' | 'now' | 'revocations' | 'keyring'>

const logoutParameters = pageForm({
  id_token_hint:
    'An ID token of ours, expired or not: when its sid is this browser’s session, no confirmation is asked; one not issued here is refused',
  client_id:
    'The client whose post_logout_redirect_uri is asked for (when both are sent, the audience of id_token_hint)',
  post_logout_redirect_uri: 'One of the client’s registered post-logout redirect URIs, exactly',
  state: 'Returned exactly as sent',
  confirm: 'POST: yes, from the confirmation form',
  _csrf: 'POST with confirm=yes: the confirmation form’s CSRF token',
})

export function registerLogoutRoutes(app: FastifyInstance, deps: LogoutRouteDeps, pages: PageSupport): void {
  const { config, store } = deps
  const cookieName = sessionCookieName(config)

  async function logout(request: FastifyRequest, reply: FastifyReply, source: unknown, confirmed: boolean) {
    const now = deps.now()
    const { params } = singleParameters(source)
    const hint =
      params.id_token_hint === undefined
        ? undefined
        : await checkIdTokenHint(deps.keyring, params.id_token_hint, config.issuer)
    if (hint?.outcome === 'invalid') {
      return pages.renderError(reply, 400, {
        title: 'This sign-out request is not valid',
        message: 'It carries an ID token that was not issued here. Go back to the app and sign out from there.',
      })
    }
    const fromHint = hint?.outcome === 'valid' ? hint : undefined
    // §2: when both are sent, the client_id must be the one the ID token was issued to.
    if (fromHint && params.client_id !== undefined && params.client_id !== fromHint.clientId) {
      return pages.renderError(reply, 400, {
        title: 'This sign-out request is not valid',
        message: 'It names one application and carries an ID token issued to another.',
      })
    }
    const clientId = params.client_id ?? fromHint?.clientId
    const client =
      clientId === undefined || clientId.length > 255
        ? undefined
        : // Any tenant's: the request's client_id (or its ID token's audience) is what names the tenant.
          await store.clients.findById(ANY_TENANT, clientId)
    const back = matchPostLogoutRedirectUri(client, params.post_logout_redirect_uri)
    if (params.post_logout_redirect_uri !== undefined && back === undefined) {
      return pages.renderError(reply, 400, {
        title: 'Sign-out cannot return to the app',
        message: 'The address to return to after signing out is not registered for this application.',
      })
    }
    const signedIn = await findSignedIn(deps, request.cookies[cookieName], now)
    const sentByClient =
      signedIn !== undefined && fromHint?.sessionId === signedIn.session.id && fromHint.subject === signedIn.user.id
    if (signedIn && !confirmed && !sentByClient) {
      const hidden: Record<string, string> = { confirm: 'yes' }
      if (client) hidden.client_id = client.clientId
      if (back !== undefined) hidden.post_logout_redirect_uri = back
      if (back !== undefined && params.state !== undefined) hidden.state = params.state
      return pages.renderLogoutConfirm(reply, {
        action: '/oauth/logout',
        hidden,
        ...(client ? { clientName: client.name } : {}),
        ...(back ? { redirectTarget: back } : {}),
      })
    }
    if (signedIn) await endSession(deps, signedIn.session, { ip: request.ip, clientId: client?.clientId })
    if (request.cookies[cookieName] !== undefined) reply.clearCookie(cookieName, sessionCookieOptions(config, 0))
    if (back === undefined) return pages.renderLoggedOut(reply)
    const url = new URL(back)
    if (params.state !== undefined) url.searchParams.append('state', params.state)
    return reply.code(303).headers({ location: url.href, 'cache-control': 'no-store' }).send()
  }

  const schema = (method: 'GET' | 'POST') => ({
    tags: ['sign-in'],
    summary: `RP-initiated logout (${method}): asks the signed-in user to confirm (not when id_token_hint names this session), then ends the session and the refresh tokens issued in it`,
    ...(method === 'GET'
      ? { querystring: logoutParameters }
      : { body: logoutParameters, consumes: ['application/x-www-form-urlencoded'] }),
    response: {
      200: htmlResponse('The confirmation form, or the signed-out page'),
      303: seeOther('To the registered post_logout_redirect_uri, with state'),
      400: htmlResponse(
        'post_logout_redirect_uri is not registered for the client, or id_token_hint was not issued here (or to client_id)',
      ),
      ...(method === 'POST' ? { 403: htmlResponse('confirm=yes without a valid CSRF token') } : {}),
    },
  })
  // Only the confirmation form's POST carries a CSRF token; a client's own POST (RP-initiated) is asked to confirm.
  const csrfWhenConfirming = (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    if (bodyString(request.body, 'confirm') !== 'yes') return done()
    return pages.csrfProtection.call(app, request, reply, done)
  }
  app.get('/oauth/logout', { schema: schema('GET') }, (request, reply) => logout(request, reply, request.query, false))
  app.post('/oauth/logout', { schema: schema('POST'), preHandler: csrfWhenConfirming }, (request, reply) =>
    logout(request, reply, request.body, bodyString(request.body, 'confirm') === 'yes'),
  )
}
