// The routes an app serves, read from Fastify's own route tree (printRoutes), for tests that sweep every route.
import type { FastifyInstance } from 'fastify'

/** Every method and URL the router serves. */
export function registeredRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  const routes: Array<{ method: string; url: string }> = []
  const stack: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!match) continue
    const depth = match[1]!.length / 4
    stack.length = depth
    const url = (stack[depth - 1] ?? '') + match[2]!
    stack[depth] = url
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url })
  }
  return routes
}
