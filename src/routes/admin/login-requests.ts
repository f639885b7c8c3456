// Delegated login and consent (oauth/authorize/delegation.ts): the team's login app reads a login or consent
// request by its challenge and accepts or rejects it; each answer is a `redirect_to` for the browser, back to
// /oauth/authorize/continue. Scope `admin`, or `login` (which reaches nothing else of the admin API).
import type { FastifyInstance } from 'fastify'
import type { Services } from '../../services.js'
import { validationFailed } from '../../errors.js'
import {
  answerChallenge,
  findOpenChallenge,
  findSubject,
  REJECT_ERRORS,
  type DelegatedAnswer,
} from '../../oauth/authorize/delegation.js'
import type { ChallengeKind } from '../../store/challenges.js'
import { tenantOf } from '../../oauth/workspace.js'
import { dateTime, errorBody, errorsWithNotFound, nullableString, SECURITY, stringArray } from './schemas.js'
import { auditContext } from './views.js'

const TAGS = ['admin: delegated login']
const challengeParams = {
  type: 'object',
  properties: { challenge: { type: 'string', minLength: 1, maxLength: 128 } },
  required: ['challenge'],
  additionalProperties: false,
} as const
const clientRef = {
  type: 'object',
  properties: { client_id: { type: 'string' }, name: { type: 'string' } },
  required: ['client_id', 'name'],
} as const
const redirectTo = {
  type: 'object',
  properties: {
    redirect_to: {
      type: 'string',
      description: 'Send the browser here (303): back to the authorization request, which goes on',
    },
  },
  required: ['redirect_to'],
} as const
const answered = { 200: redirectTo, ...errorsWithNotFound, 409: errorBody } as const

const loginRequestSchema = {
  type: 'object',
  properties: {
    challenge: { type: 'string' },
    client: clientRef,
    requested_scope: stringArray,
    login_hint: nullableString,
    prompt: { ...stringArray, description: 'login: ask for credentials even if the app remembers the user' },
    max_age: { type: ['integer', 'null'], description: 'Seconds (OpenID Connect)' },
    skip: {
      type: 'boolean',
      description:
        'Always false: a browser whose session suffices (Hydra’s skip: true) is answered by Portcullis itself and never sent to the login app',
    },
    subject: {
      ...nullableString,
      description:
        'The user of the browser’s session, when it has one that is not enough for this request (prompt=login, max_age)',
    },
    requested_at: dateTime,
    expires_at: dateTime,
  },
  required: [
    'challenge',
    'client',
    'requested_scope',
    'login_hint',
    'prompt',
    'max_age',
    'skip',
    'subject',
    'requested_at',
    'expires_at',
  ],
} as const

const consentRequestSchema = {
  type: 'object',
  properties: {
    challenge: { type: 'string' },
    client: clientRef,
    subject: { type: 'string', description: 'The user’s id' },
    username: { type: 'string' },
    requested_scope: { ...stringArray, description: 'What the client asked for, within the user’s scopes' },
    skip: {
      type: 'boolean',
      description:
        'Always false: a remembered consent that covers the request (Hydra’s skip: true) is answered by Portcullis itself and never sent to the consent app',
    },
    requested_at: dateTime,
    expires_at: dateTime,
  },
  required: ['challenge', 'client', 'subject', 'username', 'requested_scope', 'skip', 'requested_at', 'expires_at'],
} as const

const rejectBody = {
  type: ['object', 'null'],
  properties: {
    error: { type: 'string', enum: REJECT_ERRORS, default: 'access_denied', description: 'Sent on to the client' },
    error_description: {
      type: 'string',
      minLength: 1,
      maxLength: 500,
      pattern: '^[\\x20-\\x21\\x23-\\x5b\\x5d-\\x7e]*$',
      description: 'Sent on to the client (RFC 6749 §4.1.2.1: printable ASCII without " and \\)',
    },
  },
  additionalProperties: false,
} as const

interface RejectBody {
  error?: (typeof REJECT_ERRORS)[number]
  error_description?: string
}

export const LOGIN_SCOPE = 'login'

export function registerAdminLoginRequestRoutes(app: FastifyInstance, deps: Services): void {
  const iso = (at: number | Date) => new Date(at).toISOString()

  async function reject(
    kind: ChallengeKind,
    challenge: string,
    body: RejectBody | null | undefined,
    request: Parameters<typeof auditContext>[0],
  ) {
    const found = await findOpenChallenge(deps, kind, challenge)
    const answer: DelegatedAnswer = {
      accepted: false,
      error: body?.error ?? 'access_denied',
      description: body?.error_description ?? `the ${kind} was refused`,
    }
    const redirect = await answerChallenge(deps, found.challenge, answer)
    const by = auditContext(request)
    await deps.store.audit.record(
      {
        tenantId: tenantOf(found.client),
        type: `${kind}_request.rejected`,
        actor: by.actor,
        subject: `client:${found.client.clientId}`,
        ip: by.ip,
        details: {
          ...by.details,
          error: answer.error,
          ...(found.challenge.userId ? { user_id: found.challenge.userId } : {}),
        },
      },
      new Date(deps.now()),
    )
    return { redirect_to: redirect }
  }

  app.get<{ Params: { challenge: string } }>(
    '/login-requests/:challenge',
    {
      schema: {
        tags: TAGS,
        summary: 'Read a login request (LOGIN_URL was given its challenge)',
        security: SECURITY,
        params: challengeParams,
        response: { 200: loginRequestSchema, ...errorsWithNotFound, 409: errorBody },
      },
    },
    async (request) => {
      const { challenge, pending, client } = await findOpenChallenge(deps, 'login', request.params.challenge)
      const authorization = pending.request
      return {
        challenge: request.params.challenge,
        client: { client_id: client.clientId, name: client.name },
        requested_scope: authorization.scope,
        login_hint: authorization.loginHint ?? null,
        prompt: authorization.prompt,
        max_age: authorization.maxAge ?? null,
        skip: false,
        subject: challenge.userId,
        requested_at: iso(authorization.requestedAt),
        expires_at: iso(challenge.expiresAt),
      }
    },
  )

  app.post<{ Params: { challenge: string }; Body: { subject: string; remember?: boolean } }>(
    '/login-requests/:challenge/accept',
    {
      schema: {
        tags: TAGS,
        summary:
          'Accept a login request: the user signed in (subject: an enabled user’s id or username); remember keeps the session in the browser',
        security: SECURITY,
        params: challengeParams,
        body: {
          type: 'object',
          properties: {
            subject: { type: 'string', minLength: 1, maxLength: 200 },
            remember: {
              type: 'boolean',
              default: false,
              description: 'Set the session cookie (SESSION_TTL): later requests skip the login',
            },
          },
          required: ['subject'],
          additionalProperties: false,
        },
        response: answered,
      },
    },
    async (request) => {
      const found = await findOpenChallenge(deps, 'login', request.params.challenge)
      const user = await findSubject(deps, found.client, request.body.subject)
      const redirect = await answerChallenge(deps, found.challenge, {
        accepted: true,
        userId: user.id,
        remember: request.body.remember === true,
      })
      const by = auditContext(request)
      await deps.store.audit.record(
        {
          tenantId: tenantOf(found.client),
          type: 'login_request.accepted',
          actor: by.actor,
          subject: `user:${user.id}`,
          ip: by.ip,
          details: { ...by.details, client: found.client.clientId, remember: request.body.remember === true },
        },
        new Date(deps.now()),
      )
      return { redirect_to: redirect }
    },
  )

  app.post<{ Params: { challenge: string }; Body: RejectBody | null }>(
    '/login-requests/:challenge/reject',
    {
      schema: {
        tags: TAGS,
        summary: 'Reject a login request: the client gets the error',
        security: SECURITY,
        params: challengeParams,
        body: rejectBody,
        response: answered,
      },
    },
    async (request) => reject('login', request.params.challenge, request.body, request),
  )

  app.get<{ Params: { challenge: string } }>(
    '/consent-requests/:challenge',
    {
      schema: {
        tags: TAGS,
        summary: 'Read a consent request (CONSENT_URL was given its challenge)',
        security: SECURITY,
        params: challengeParams,
        response: { 200: consentRequestSchema, ...errorsWithNotFound, 409: errorBody },
      },
    },
    async (request) => {
      const { challenge, pending, client } = await findOpenChallenge(deps, 'consent', request.params.challenge)
      const user = challenge.userId ? await deps.store.users.findById(tenantOf(client), challenge.userId) : undefined
      return {
        challenge: request.params.challenge,
        client: { client_id: client.clientId, name: client.name },
        subject: challenge.userId ?? '',
        username: user?.username ?? '',
        requested_scope: challenge.scope,
        skip: false,
        requested_at: iso(pending.request.requestedAt),
        expires_at: iso(challenge.expiresAt),
      }
    },
  )

  app.post<{ Params: { challenge: string }; Body: { grant_scope: string[]; remember?: boolean } }>(
    '/consent-requests/:challenge/accept',
    {
      schema: {
        tags: TAGS,
        summary:
          'Accept a consent request: grant_scope (within requested_scope) goes into the code; remember keeps the consent',
        security: SECURITY,
        params: challengeParams,
        body: {
          type: 'object',
          properties: {
            grant_scope: {
              type: 'array',
              items: { type: 'string', minLength: 1, maxLength: 200 },
              maxItems: 100,
              uniqueItems: true,
            },
            remember: {
              type: 'boolean',
              default: false,
              description: 'Remember the consent: later requests for these scopes are not asked again',
            },
          },
          required: ['grant_scope'],
          additionalProperties: false,
        },
        response: answered,
      },
    },
    async (request) => {
      const found = await findOpenChallenge(deps, 'consent', request.params.challenge)
      const { grant_scope: grantScope, remember = false } = request.body
      const problems = grantScope.flatMap((scope, i) =>
        found.challenge.scope.includes(scope)
          ? []
          : [{ field: `grant_scope.${i}`, message: `${JSON.stringify(scope)} was not requested` }],
      )
      if (problems.length > 0) throw validationFailed(problems)
      const redirect = await answerChallenge(deps, found.challenge, { accepted: true, grantScope, remember })
      const by = auditContext(request)
      await deps.store.audit.record(
        {
          tenantId: tenantOf(found.client),
          type: 'consent_request.accepted',
          actor: by.actor,
          subject: `client:${found.client.clientId}`,
          ip: by.ip,
          details: { ...by.details, user_id: found.challenge.userId, scope: grantScope.join(' '), remember },
        },
        new Date(deps.now()),
      )
      return { redirect_to: redirect }
    },
  )

  app.post<{ Params: { challenge: string }; Body: RejectBody | null }>(
    '/consent-requests/:challenge/reject',
    {
      schema: {
        tags: TAGS,
        summary: 'Reject a consent request: the client gets the error',
        security: SECURITY,
        params: challengeParams,
        body: rejectBody,
        response: answered,
      },
    },
    async (request) => reject('consent', request.params.challenge, request.body, request),
  )
}
