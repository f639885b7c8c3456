// The HTML of the sign-in pages (login, consent, logout, errors, the form_post response): escaped values,
// no inline script but the one form_post needs (allowed by its nonce), and the headers every page carries:
// never cached, no framing (clickjacking), no referrer (the request's URL holds its state), a strict CSP.
import { createHash, randomBytes } from 'node:crypto'
import type { FastifyReply } from 'fastify'

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}' +
  'label{display:block;margin-top:1rem;font-weight:600}input{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}' +
  'button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit;cursor:pointer}:focus-visible{outline:3px solid #0b5cad;outline-offset:2px}' +
  '.error{color:#a4000f}ul{padding-left:1.2rem}'

// The one stylesheet, inline and allowed by its hash (no 'unsafe-inline').
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`
}

const hidden = (fields: Record<string, string | undefined>) =>
  Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value!)}">`)
    .join('')

/** Sends `html` with the headers every sign-in page carries. `formAction` widens where forms may post. */
export function sendPage(reply: FastifyReply, status: number, html: string, options: { nonce?: string; formAction?: string } = {}) {
  const source = options.nonce ? `'nonce-${options.nonce}'` : `'none'`
  return reply
    .code(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'content-security-policy': `default-src 'none'; style-src ${STYLE_HASH}; script-src ${source}; form-action ${options.formAction ?? "'self'"}; frame-ancestors 'none'; base-uri 'none'`,
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    })
    .send(html)
}

export function errorPage(message: string): string {
  return page('Sign-in could not continue', `<p class="error" role="alert">${escapeHtml(message)}</p><p>Go back to the application and try again.</p>`)
}

export function loginPage(input: { request: string; csrf: string; clientName: string; username?: string; problem?: string }): string {
  return page(
    'Sign in',
    `<p>to continue to <strong>${escapeHtml(input.clientName)}</strong></p>` +
      (input.problem ? `<p class="error" role="alert">${escapeHtml(input.problem)}</p>` : '') +
      `<form method="post" action="/oauth/login">${hidden({ request: input.request, csrf: input.csrf })}` +
      `<label for="username">Username</label><input id="username" name="username" autocomplete="username" required autofocus value="${escapeHtml(input.username ?? '')}">` +
      `<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>` +
      `<button type="submit">Sign in</button></form>`,
  )
}

export function consentPage(input: { request: string; csrf: string; clientName: string; scopes: readonly string[] }): string {
  const scopes = input.scopes.length > 0 ? `<ul>${input.scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('')}</ul>` : '<p>No particular permission.</p>'
  return page(
    'Allow access?',
    `<p><strong>${escapeHtml(input.clientName)}</strong> asks for:</p>${scopes}` +
      `<form method="post" action="/oauth/consent">${hidden({ request: input.request, csrf: input.csrf })}` +
      `<button type="submit" name="consent" value="allow">Allow</button> <button type="submit" name="consent" value="deny">Deny</button></form>`,
  )
}

export function logoutConfirmPage(input: { csrf: string; fields: Record<string, string | undefined> }): string {
  return page(
    'Sign out?',
    `<form method="post" action="/oauth/logout">${hidden({ ...input.fields, csrf: input.csrf, confirm: 'yes' })}<button type="submit">Sign out</button></form>`,
  )
}

export function loggedOutPage(): string {
  return page('Signed out', '<p>You are signed out. You can close this window.</p>')
}

/** response_mode=form_post: a form the browser posts to the client, at once when scripts run, by a button otherwise. */
export function formPostPage(action: string, fields: Record<string, string>): { html: string; nonce: string } {
  const nonce = randomBytes(16).toString('base64')
  const html = page(
    'Continue',
    `<form method="post" action="${escapeHtml(action)}">${hidden(fields)}<button type="submit">Continue</button></form>` +
      `<script nonce="${nonce}">document.forms[0].submit()</script>`,
  )
  return { html, nonce }
}
