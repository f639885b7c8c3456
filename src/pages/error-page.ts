// Any error in a page route is answered with the error page: a title and a sentence a person can act on, chosen
// by status alone. The error's own message and stack go only to the log (they may name internals).
import type { FastifyError, FastifyInstance } from 'fastify'
import type { ErrorModel } from './models.js'
import type { Pages } from './render.js'

const MESSAGES: Readonly<Record<number, ErrorModel>> = {
  400: {
    title: 'Something is wrong with this request',
    message: 'The link or form you used is incomplete or not valid. Go back to the app and start again.',
  },
  403: {
    title: 'This form has expired',
    message: 'The form was not sent from this site, or it was open too long. Go back, reload the page and try again.',
  },
  404: {
    title: 'Page not found',
    message: 'There is nothing at this address. Check the link, or go back to the app and start again.',
  },
  405: {
    title: 'Something is wrong with this request',
    message: 'This page cannot be used this way. Go back to the app and start again.',
  },
  413: { title: 'Something is wrong with this request', message: 'The form sent too much data.' },
  429: { title: 'Too many attempts', message: 'Wait a few minutes, then try again.' },
  500: { title: 'Something went wrong', message: 'We could not complete your request. Please try again in a moment.' },
  503: {
    title: 'Temporarily unavailable',
    message: 'The service is busy or down for a moment. Please try again shortly.',
  },
}

/** The page shown for an HTTP status: its own text when it has one, else that of 400 (4xx) or 500 (5xx). */
export function errorPageFor(status: number): { status: number; model: ErrorModel } {
  const known = MESSAGES[status]
  if (known) return { status, model: known }
  return status >= 400 && status < 500 ? { status, model: MESSAGES[400]! } : { status: 500, model: MESSAGES[500]! }
}

export function registerPageErrorHandler(scope: FastifyInstance, pages: Pages): void {
  scope.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.validation ? 400 : (error.statusCode ?? 500)
    const page = errorPageFor(status >= 400 && status < 600 ? status : 500)
    if (page.status >= 500) request.log.error({ err: error }, 'page route failed')
    else
      request.log.info(
        { err: { code: error.code, message: error.message }, status: page.status },
        'page request refused',
      )
    return pages.renderError(reply, page.status, page.model)
  })
}
