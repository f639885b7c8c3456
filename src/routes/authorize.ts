// Browser sign-in (RFC 6749 §4.1, RFC 7636, RFC 9207, RFC 9700 §2.1 and §4; OpenID Connect Core §3.1):
// GET /oauth/authorize, the login page (GET/POST /oauth/login) and the consent page (GET/POST
// /oauth/consent). The decisions are in oauth/authorize/, the HTML in pages/; this file is the wire:
// parameters, cookies, redirects (303, so a POST is never repeated at the client). Registered in the pages'
// plugin scope (CSRF, security headers, error page). No CORS here: these are top-level navigations.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../services.js'
import { OAuthError } from '../errors.js'
import {
  findBrowserSession,
  findPending,
  findSignedIn,
  issueCode,
  keepPending,
  nextStep,
  startSession,
  type NextStep,
  type SignedIn,
} from '../oauth/authorize/flow.js'
import { checkLogin } from '../oauth/authorize/login.js'
import { tenantOf } from '../oauth/workspace.js'
import { replaceSession } from '../oauth/authorize/logout.js'
import {
  bindingCookieName,
  bindingCookieOptions,
  browserBinding,
  startDelegation,
  takeAnswer,
} from '../oauth/authorize/delegation.js'
import {
  PageError,
  RedirectError,
  singleParameters,
  validateAuthorizationRequest,
  validateClientAndRedirect,
  type AuthorizationRequest,
  type RedirectTarget,
} from '../oauth/authorize/request.js'
import { codeResponse, errorResponse, type AuthorizationResponse } from '../oauth/authorize/response.js'
import { sessionCookieName, sessionCookieOptions } from '../oauth/authorize/session-cookie.js'
import type { PageSupport } from '../pages/index.js'
import type { Client } from '../store/clients.js'
import { ANY_TENANT } from '../store/tenant-scope.js'
import type { PendingAuthorization } from '../store/authorization-requests.js'

export type AuthorizeRouteDeps = Pick<
  Services,
  'config' | 'store' | 'now' | 'passwords' | 'loginWaiters' | 'revocations'
>

const param = (description: string) => ({ description }) as const
export const htmlResponse = (description: string) =>
  ({ description, content: { 'text/html': { schema: { type: 'string' } } } }) as const
export const seeOther = (description: string) =>
  ({ description, headers: { Location: { type: 'string' } }, type: 'null' }) as const
export const pageForm = (fields: Record<string, string>) =>
  ({
    type: 'object',
    properties: Object.fromEntries(Object.entries(fields).map(([name, text]) => [name, param(text)])),
  }) as const

const authorizeQuery = pageForm({
  response_type: 'code (the only response type)',
  client_id: 'The registered client',
  redirect_uri:
    'One of the client’s redirect URIs, exactly (a loopback one with any port); optional when it has only one',
  scope: 'Space-separated, within the client’s scopes',
  state: 'Returned exactly as sent',
  code_challenge: 'PKCE (RFC 7636): BASE64URL(SHA256(code_verifier)), required',
  code_challenge_method: 'S256 (required; plain is refused)',
  resource: 'RFC 8707: one of the registered audiences',
  nonce: 'OpenID Connect: kept with the code',
  prompt: 'none, login or consent',
  max_age: 'Seconds: an older login is asked again',
  login_hint: 'Username to fill in on the login page',
  response_mode: 'query (default) or form_post',
  dpop_jkt: 'RFC 9449 section 10: the JWK thumbprint of the DPoP key the code is bound to',
})

export const bodyString = (body: unknown, name: string): string | undefined => {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined
  return typeof value === 'string' ? value : undefined
}

export function registerAuthorizeRoutes(app: FastifyInstance, deps: AuthorizeRouteDeps, pages: PageSupport): void {
  const { config, store } = deps
  const cookieName = sessionCookieName(config)
  const bindingName = bindingCookieName(config)

  /** The code or the error, to the client: a 303 redirect, or the form_post page. */
  const answer = (reply: FastifyReply, response: AuthorizationResponse) => {
    if (response.mode === 'query')
      return reply.code(303).headers({ location: response.location, 'cache-control': 'no-store' }).send()
    return pages.renderFormPost(reply, { redirectUri: response.action, params: response.fields })
  }

  const signedInOf = (request: FastifyRequest, now: number) => findSignedIn(deps, request.cookies[cookieName], now)

  const expired = (reply: FastifyReply) =>
    pages.renderError(reply, 400, {
      title: 'This sign-in has expired',
      message: 'The sign-in request has expired or was already answered. Go back to the app and start again.',
    })

  /** To the team's login or consent app (LOGIN_URL, CONSENT_URL; oauth/authorize/delegation.ts), with the browser bound. */
  async function delegate(
    http: FastifyRequest,
    reply: FastifyReply,
    request: AuthorizationRequest,
    next: Exclude<NextStep, { step: 'code' }>,
    now: number,
    pending?: PendingAuthorization<AuthorizationRequest>,
  ) {
    const binding = browserBinding(http.cookies[bindingName])
    // Set again each time: it lasts as long as the newest pending request of this browser.
    reply.setCookie(bindingName, binding.value, bindingCookieOptions(config))
    const signedIn = next.step === 'consent' ? next.signedIn : await signedInOf(http, now)
    const scope = next.step === 'consent' ? next.scope : request.scope
    const location = await startDelegation(
      deps,
      { kind: next.step, request, pending, browser: binding.value, signedIn, scope },
      now,
    )
    return reply.code(303).headers({ location, 'cache-control': 'no-store' }).send()
  }

  /** Carries the request to its next step: the login page, the consent page (or the team's apps for them), or the code. */
  async function proceed(
    http: FastifyRequest,
    reply: FastifyReply,
    request: AuthorizationRequest,
    next: NextStep,
    now: number,
    pending?: PendingAuthorization<AuthorizationRequest>,
    pendingId?: string,
  ) {
    if ((next.step === 'login' && config.loginUrl) || (next.step === 'consent' && config.consentUrl))
      return delegate(http, reply, request, next as Exclude<NextStep, { step: 'code' }>, now, pending)
    if (next.step === 'login') {
      const id = pendingId ?? (await keepPending(deps, request, now))
      return reply
        .code(303)
        .headers({ location: `/oauth/login?request=${encodeURIComponent(id)}`, 'cache-control': 'no-store' })
        .send()
    }
    if (next.step === 'consent') {
      let id = pendingId
      if (id === undefined) id = await keepPending(deps, request, now, next.signedIn.session.id)
      else await store.authorizationRequests.attachSession(pending!.id, next.signedIn.session.id)
      return reply
        .code(303)
        .headers({ location: `/oauth/consent?request=${encodeURIComponent(id)}`, 'cache-control': 'no-store' })
        .send()
    }
    if (pending && !(await store.authorizationRequests.complete(pending.id, new Date(now)))) return expired(reply)
    const code = await issueCode(deps, request, next.signedIn, next.scope, now)
    return answer(reply, codeResponse(request, code, config.issuer))
  }

  /** Errors to the client once its redirect URI is known good; the pending request is over then. */
  async function redirectErrors(
    reply: FastifyReply,
    run: () => Promise<unknown>,
    pending?: PendingAuthorization<AuthorizationRequest>,
  ) {
    try {
      return await run()
    } catch (err) {
      if (!(err instanceof RedirectError)) throw err
      if (pending) await store.authorizationRequests.complete(pending.id, new Date(deps.now()))
      return answer(reply, errorResponse(err.target, err.error, config.issuer))
    }
  }

  /** The pending request named by `request`, and its client; undefined when expired, used or unknown. */
  async function pendingOf(
    id: string | undefined,
    now: number,
  ): Promise<{ pending: PendingAuthorization<AuthorizationRequest>; client: Client } | undefined> {
    const pending = await findPending(deps, id, now)
    // Any tenant's: the pending request (named by a 256-bit secret) names the client, and the client the tenant.
    const client = pending && (await store.clients.findById(ANY_TENANT, pending.clientId))
    return pending && client ? { pending, client } : undefined
  }

  app.get(
    '/oauth/authorize',
    {
      schema: {
        tags: ['sign-in'],
        summary:
          'Authorization endpoint (RFC 6749 §4.1, PKCE S256 required): to the login or consent page, or back to the client with a code or an error (with iss, RFC 9207)',
        querystring: authorizeQuery,
        response: {
          200: htmlResponse('response_mode=form_post: a form posting the answer to the client'),
          303: seeOther('To the login or consent page, or to the redirect URI with code (or error), state and iss'),
          400: htmlResponse('Unknown client or redirect URI: shown, never redirected'),
        },
      },
    },
    async (request, reply) => {
      const now = deps.now()
      const { params, repeated } = singleParameters(request.query)
      const client =
        params.client_id === undefined || params.client_id.length > 255
          ? undefined
          : // Any tenant's: the request's client_id is what names the tenant.
            await store.clients.findById(ANY_TENANT, params.client_id)
      let target: RedirectTarget
      try {
        target = validateClientAndRedirect(params, repeated, client)
      } catch (err) {
        if (err instanceof PageError)
          return pages.renderError(reply, 400, {
            title: 'Sign-in cannot start',
            message: `${err.message}. Go back to the app and try again.`,
          })
        throw err
      }
      return redirectErrors(reply, async () => {
        const authorization = validateAuthorizationRequest(target, params, repeated, client!, config, now)
        const signedIn = await signedInOf(request, now)
        return proceed(request, reply, authorization, await nextStep(deps, authorization, client!, signedIn, now), now)
      })
    },
  )

  const loginModel = (
    id: string,
    client: Client,
    pending: PendingAuthorization<AuthorizationRequest>,
    extra: { username?: string | undefined; error?: string } = {},
  ) => {
    const username = extra.username ?? pending.request.loginHint
    return {
      action: '/oauth/login',
      clientName: client.name,
      hidden: { request: id },
      redirectTarget: pending.request.redirectUri,
      ...(username ? { username } : {}),
      ...(extra.error ? { error: extra.error } : {}),
    }
  }

  app.get(
    '/oauth/login',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'The login page of a pending authorization request',
        querystring: pageForm({ request: 'The pending request, as /oauth/authorize named it' }),
        response: {
          200: htmlResponse('The login form (username, password)'),
          400: htmlResponse('The request has expired or was answered'),
        },
      },
    },
    async (request, reply) => {
      const id = (request.query as Record<string, unknown>).request
      const found = await pendingOf(typeof id === 'string' ? id : undefined, deps.now())
      if (!found) return expired(reply)
      return pages.renderLogin(reply, loginModel(id as string, found.client, found.pending))
    },
  )

  app.post(
    '/oauth/login',
    {
      schema: {
        tags: ['sign-in'],
        summary:
          'Signs in with a username and password (throttled like the password grant), then continues the request',
        consumes: ['application/x-www-form-urlencoded'],
        body: pageForm({
          request: 'The pending request',
          username: 'Username',
          password: 'Password',
          _csrf: 'The form’s CSRF token',
        }),
        response: {
          200: htmlResponse('response_mode=form_post: the answer to the client'),
          303: seeOther('To the consent page, or to the client with the code'),
          400: htmlResponse('The request has expired or was answered'),
          401: htmlResponse('The login form again: wrong username or password'),
          403: htmlResponse('No valid CSRF token'),
          429: htmlResponse('The login form again: too many failed logins'),
        },
      },
      preHandler: pages.csrfProtection,
    },
    async (request, reply) => {
      const now = deps.now()
      const id = bodyString(request.body, 'request')
      const found = await pendingOf(id, now)
      if (!found) return expired(reply)
      const { pending, client } = found
      const username = bodyString(request.body, 'username') ?? ''
      const again = (status: number, error: string) =>
        pages.renderLogin(reply, loginModel(id!, client, pending, { username, error }), status)
      if (username === '' || username.length > 1024) return again(401, 'Wrong username or password.')
      const login = await checkLogin(deps, {
        username,
        password: bodyString(request.body, 'password') ?? '',
        ip: request.ip,
        clientId: client.clientId,
        tenantId: tenantOf(client),
      })
      if (login.outcome === 'throttled') {
        reply.header('retry-after', String(Math.max(1, Math.ceil(login.retryAfter))))
        return again(429, 'Too many failed sign-ins. Wait a few minutes, then try again.')
      }
      if (login.outcome === 'failed') return again(401, 'Wrong username or password.')
      const at = deps.now()
      const previous = await findBrowserSession(deps, request.cookies[cookieName], at)
      const { cookie, session } = await startSession(deps, login.user, ['pwd'], at)
      reply.setCookie(cookieName, cookie, sessionCookieOptions(config, config.sessionTtl))
      if (previous) await replaceSession(deps, previous, session, { ip: request.ip })
      const signedIn = { session, user: login.user }
      return redirectErrors(
        reply,
        async () =>
          proceed(
            request,
            reply,
            pending.request,
            await nextStep(deps, pending.request, client, signedIn, at),
            at,
            pending,
            id,
          ),
        pending,
      )
    },
  )

  /** The pending request of a consent page, with the session that logged in for it (this browser's). */
  async function consentContext(request: FastifyRequest, id: string | undefined, now: number) {
    const found = await pendingOf(id, now)
    if (!found || found.pending.sessionId === null) return undefined
    const signedIn = await signedInOf(request, now)
    if (!signedIn || signedIn.session.id !== found.pending.sessionId) return undefined
    return { ...found, signedIn }
  }

  app.get(
    '/oauth/consent',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'The consent page of a pending authorization request: the client’s name and the scopes asked',
        querystring: pageForm({ request: 'The pending request' }),
        response: {
          200: htmlResponse('The consent form (consent=allow or consent=deny)'),
          400: htmlResponse('The request has expired, was answered, or belongs to another session'),
        },
      },
    },
    async (request, reply) => {
      const now = deps.now()
      const id = (request.query as Record<string, unknown>).request
      const context = await consentContext(request, typeof id === 'string' ? id : undefined, now)
      if (!context) return expired(reply)
      return redirectErrors(
        reply,
        async () => {
          const next = await nextStep(deps, context.pending.request, context.client, context.signedIn, now)
          if (next.step !== 'consent')
            return proceed(request, reply, context.pending.request, next, now, context.pending, id as string)
          return pages.renderConsent(reply, {
            action: '/oauth/consent',
            clientName: context.client.name,
            scopes: next.scope.map((name) => ({ name })),
            hidden: { request: id as string },
            username: context.signedIn.user.username,
            redirectTarget: context.pending.request.redirectUri,
          })
        },
        context.pending,
      )
    },
  )

  app.post(
    '/oauth/consent',
    {
      schema: {
        tags: ['sign-in'],
        summary:
          'Answers the consent page: allow issues the code (the consent is remembered), deny answers access_denied',
        consumes: ['application/x-www-form-urlencoded'],
        body: pageForm({ request: 'The pending request', consent: 'allow or deny', _csrf: 'The form’s CSRF token' }),
        response: {
          200: htmlResponse('response_mode=form_post: the answer to the client'),
          303: seeOther('To the client with the code, or error=access_denied'),
          400: htmlResponse('The request has expired, was answered, or belongs to another session'),
          403: htmlResponse('No valid CSRF token'),
        },
      },
      preHandler: pages.csrfProtection,
    },
    async (request, reply) => {
      const now = deps.now()
      const id = bodyString(request.body, 'request')
      const context = await consentContext(request, id, now)
      if (!context) return expired(reply)
      const { pending, client, signedIn } = context
      const authorization = pending.request
      const audit = {
        tenantId: tenantOf(client),
        actor: `user:${signedIn.user.id}`,
        subject: `client:${client.clientId}`,
        ip: request.ip,
      }
      return redirectErrors(
        reply,
        async () => {
          if (bodyString(request.body, 'consent') !== 'allow') {
            await store.audit.record(
              { type: 'consent.denied', ...audit, details: { scope: authorization.scope.join(' ') } },
              new Date(now),
            )
            throw new RedirectError(authorization, new OAuthError('access_denied', 'the user denied the request'))
          }
          const next = await nextStep(
            deps,
            { ...authorization, prompt: authorization.prompt.filter((prompt) => prompt !== 'consent') },
            client,
            signedIn,
            now,
          )
          if (next.step === 'login') return expired(reply)
          await store.consents.grant(
            signedIn.user.tenantId,
            { userId: signedIn.user.id, clientId: client.clientId, scopes: next.scope },
            new Date(now),
          )
          await store.audit.record(
            { type: 'consent.granted', ...audit, details: { scope: next.scope.join(' ') } },
            new Date(now),
          )
          return proceed(request, reply, authorization, { step: 'code', scope: next.scope, signedIn }, now, pending, id)
        },
        pending,
      )
    },
  )

  /** The session a delegated consent was asked for, in the client's tenant, still in force, of an enabled user. */
  async function sessionInForce(
    tenantId: string,
    sessionId: string | null,
    now: number,
  ): Promise<SignedIn | undefined> {
    const session = sessionId === null ? undefined : await store.sessions.findById(tenantId, sessionId)
    if (!session || session.revokedAt || session.expiresAt.getTime() <= now || session.idleExpiresAt.getTime() <= now)
      return undefined
    const user = await store.users.findById(tenantId, session.userId)
    return user && !user.disabled ? { session, user } : undefined
  }

  app.get(
    '/oauth/authorize/continue',
    {
      schema: {
        tags: ['sign-in'],
        summary:
          'Where the team’s login or consent app sends the browser back (the redirect_to of its answer): the request goes on',
        querystring: pageForm({
          login_verifier: 'From the login request’s redirect_to',
          consent_verifier: 'From the consent request’s redirect_to',
        }),
        response: {
          200: htmlResponse('response_mode=form_post: the answer to the client'),
          303: seeOther(
            'To the consent step, or to the client with the code (or the error the app answered), state and iss',
          ),
          400: htmlResponse('The verifier is unknown, used or expired, or this browser did not start the request'),
        },
      },
    },
    async (request, reply) => {
      const now = deps.now()
      const { params } = singleParameters(request.query)
      const kind = params.login_verifier !== undefined ? 'login' : 'consent'
      const taken = await takeAnswer(deps, kind, params[`${kind}_verifier`], request.cookies[bindingName], now)
      if (taken.outcome === 'other_browser') {
        return pages.renderError(reply, 400, {
          title: 'This sign-in was started in another browser',
          message:
            'For your safety it can only be finished in the browser that started it. Go back to the app and start again.',
        })
      }
      if (taken.outcome === 'unknown') return expired(reply)
      const { answer, pending, client, challenge } = taken
      const authorization = pending.request
      return redirectErrors(
        reply,
        async () => {
          if (!answer.accepted) throw new RedirectError(authorization, new OAuthError(answer.error, answer.description))
          if (kind === 'login') {
            // In the client's tenant: the login app named a user of it (findSubject), and no other may sign in here.
            const user =
              answer.userId === undefined ? undefined : await store.users.findById(tenantOf(client), answer.userId)
            if (!user || user.disabled)
              throw new RedirectError(authorization, new OAuthError('access_denied', 'the user cannot sign in'))
            const previous = await findBrowserSession(deps, request.cookies[cookieName], now)
            const { cookie, session } = await startSession(deps, user, [], now)
            await store.audit.record(
              {
                tenantId: user.tenantId,
                type: 'login.succeeded',
                actor: `client:${client.clientId}`,
                subject: `user:${user.id}`,
                ip: request.ip,
                details: { via: 'login_app', session_id: session.id },
              },
              new Date(now),
            )
            const signedIn = { session, user }
            const next = await nextStep(deps, authorization, client, signedIn, now)
            // remember: the browser keeps the session (SESSION_TTL). Otherwise it has none, unless our own consent page
            // comes next: that page knows the user only by the session cookie, so it gets one for this browser session.
            let cookieSet = true
            if (answer.remember) reply.setCookie(cookieName, cookie, sessionCookieOptions(config, config.sessionTtl))
            else if (next.step === 'consent' && !config.consentUrl)
              reply.setCookie(cookieName, cookie, { ...sessionCookieOptions(config, 0), maxAge: undefined })
            else cookieSet = false
            // The browser's older session: replaced by the new cookie; without one, ended only if it was another
            // user's (that person has left this browser), and its cookie cleared.
            if (previous && (cookieSet || previous.userId !== user.id)) {
              await replaceSession(deps, previous, session, { ip: request.ip })
              if (!cookieSet) reply.clearCookie(cookieName, sessionCookieOptions(config, 0))
            }
            if (next.step === 'login') return expired(reply)
            return proceed(request, reply, authorization, next, now, pending, undefined)
          }
          const signedIn = await sessionInForce(tenantOf(client), challenge.sessionId, now)
          if (!signedIn || signedIn.user.id !== challenge.userId)
            throw new RedirectError(
              authorization,
              new OAuthError('access_denied', 'the session that asked for consent has ended'),
            )
          const scope = answer.grantScope ?? []
          if (answer.remember) {
            await store.consents.grant(
              signedIn.user.tenantId,
              { userId: signedIn.user.id, clientId: client.clientId, scopes: scope },
              new Date(now),
            )
            await store.audit.record(
              {
                tenantId: tenantOf(client),
                type: 'consent.granted',
                actor: `user:${signedIn.user.id}`,
                subject: `client:${client.clientId}`,
                ip: request.ip,
                details: { scope: scope.join(' '), via: 'consent_app' },
              },
              new Date(now),
            )
          }
          return proceed(request, reply, authorization, { step: 'code', scope, signedIn }, now, pending, undefined)
        },
        pending,
      )
    },
  )
}
