// The pages' two static files, read once at start and served under a content-hashed name with a year's cache:
// a changed file gets a new URL, so no page ever pairs with a stale stylesheet.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'

/**
 * src/pages/ from this module in src/pages/ (tsx) and in dist/pages/ (the build): tsc does not copy templates,
 * so both resolve to the checkout's src/pages/ (the Docker image copies templates/ and static/ there).
 */
export const PAGES_DIR = fileURLToPath(new URL('../../src/pages/', import.meta.url))

interface Asset {
  body: Buffer
  type: string
}

export interface AssetUrls {
  styles: string
  formPost: string
}

function load(file: string, type: string, assets: Map<string, Asset>): string {
  const body = readFileSync(`${PAGES_DIR}static/${file}`)
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12)
  const [stem, extension] = file.split('.') as [string, string]
  const name = `${stem}.${hash}.${extension}`
  assets.set(name, { body, type })
  return `/assets/${name}`
}

/** Registers GET /assets/:file in `scope` and answers the URLs the templates link to. */
export function registerAssets(scope: FastifyInstance): AssetUrls {
  const assets = new Map<string, Asset>()
  const urls: AssetUrls = {
    styles: load('styles.css', 'text/css; charset=utf-8', assets),
    formPost: load('form-post.js', 'text/javascript; charset=utf-8', assets),
  }
  scope.get<{ Params: { file: string } }>(
    '/assets/:file',
    {
      schema: {
        summary: 'A stylesheet or script of the sign-in pages (content-hashed name)',
        tags: ['pages'],
        params: { type: 'object', properties: { file: { type: 'string', maxLength: 100 } }, required: ['file'] },
        response: {
          200: {
            description: 'The file, cached for a year (its name changes with its content)',
            content: { 'text/css': { schema: { type: 'string' } }, 'text/javascript': { schema: { type: 'string' } } },
          },
          404: {
            description: 'No such file: the error page',
            content: { 'text/html': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (request, reply) => {
      const asset = assets.get(request.params.file)
      if (!asset) {
        const error = Object.assign(new Error('Asset not found'), { statusCode: 404 })
        throw error
      }
      return reply
        .header('content-type', asset.type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(asset.body)
    },
  )
  return urls
}
