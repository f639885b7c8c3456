// The typed render helpers: one per page, each filling in what every page shares (product name, stylesheet,
// CSRF token) and the page's own Content-Security-Policy.
import type { FastifyReply } from 'fastify'
import type { AssetUrls } from './assets.js'
import { contentSecurityPolicy } from './csp.js'
import {
  DEFAULT_SCOPE_DESCRIPTIONS,
  type ConsentModel,
  type ErrorModel,
  type FormPostModel,
  type LoggedOutModel,
  type LoginModel,
  type LogoutConfirmModel,
} from './models.js'

export interface Pages {
  renderLogin(reply: FastifyReply, model: LoginModel, status?: number): Promise<FastifyReply>
  renderConsent(reply: FastifyReply, model: ConsentModel): Promise<FastifyReply>
  renderError(reply: FastifyReply, status: number, model: ErrorModel): Promise<FastifyReply>
  renderLoggedOut(reply: FastifyReply, model?: LoggedOutModel): Promise<FastifyReply>
  renderLogoutConfirm(reply: FastifyReply, model: LogoutConfirmModel): Promise<FastifyReply>
  renderFormPost(reply: FastifyReply, model: FormPostModel): Promise<FastifyReply>
}

interface Shared {
  uiTitle: string
  assets: AssetUrls
}

/** A same-site path or an absolute http(s) URL, else undefined: a link must not run script (javascript:). */
export function safeLink(url: string | undefined): string | undefined {
  if (url === undefined) return undefined
  if (url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\')) return url
  try {
    const { protocol } = new URL(url)
    return protocol === 'https:' || protocol === 'http:' ? url : undefined
  } catch {
    return undefined
  }
}

function targets(redirectTarget: string | undefined): string[] {
  return redirectTarget === undefined ? [] : [redirectTarget]
}

export function createPages(shared: Shared): Pages {
  async function render(
    reply: FastifyReply,
    status: number,
    template: string,
    data: object,
    csp: string,
    heading: string,
  ) {
    const html = await reply.viewAsync(template, { ...data, uiTitle: shared.uiTitle, assets: shared.assets, heading })
    return reply.code(status).header('content-security-policy', csp).type('text/html; charset=utf-8').send(html)
  }
  const csrf = (reply: FastifyReply) => reply.generateCsrf()

  return {
    renderLogin: (reply, model, status = 200) =>
      render(
        reply,
        status,
        'login',
        { ...model, hidden: model.hidden ?? {}, csrfToken: csrf(reply) },
        contentSecurityPolicy({ formTargets: targets(model.redirectTarget) }),
        'Sign in',
      ),
    renderConsent: (reply, model) => {
      const scopes = model.scopes.map((scope) => ({
        name: scope.name,
        description: scope.description ?? DEFAULT_SCOPE_DESCRIPTIONS[scope.name],
      }))
      return render(
        reply,
        200,
        'consent',
        { ...model, scopes, hidden: model.hidden ?? {}, csrfToken: csrf(reply) },
        contentSecurityPolicy({ formTargets: targets(model.redirectTarget) }),
        `Allow ${model.clientName}?`,
      )
    },
    renderError: (reply, status, model) =>
      render(
        reply,
        status,
        'error',
        { ...model, backUrl: safeLink(model.backUrl) },
        contentSecurityPolicy(),
        model.title,
      ),
    renderLoggedOut: (reply, model = {}) =>
      render(reply, 200, 'logged-out', model, contentSecurityPolicy(), 'Signed out'),
    renderLogoutConfirm: (reply, model) =>
      render(
        reply,
        200,
        'logout-confirm',
        { ...model, hidden: model.hidden ?? {}, csrfToken: csrf(reply) },
        contentSecurityPolicy({ formTargets: targets(model.redirectTarget) }),
        'Sign out?',
      ),
    renderFormPost: (reply, model) =>
      render(
        reply,
        200,
        'form-post',
        { ...model, script: true },
        contentSecurityPolicy({ formTargets: [model.redirectUri], script: true }),
        'Continue',
      ),
  }
}
