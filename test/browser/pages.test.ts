// The sign-in pages in a real browser (Debian's chromium through playwright-core): a screenshot of each at
// 1280 and 375 px into /tmp/pages-<page>-<width>.png (looked at by a person before a page is called done),
// no horizontal scrolling at 375 px, nothing blocked by the CSP, no axe-core violation, and the form-action rule
// for a POST answered by a redirect to the client. Run by `npm run test:browser`, apart from `npm test`.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import formbody from '@fastify/formbody'
import { chromium, type Browser } from 'playwright-core'
import { registerPageSupport } from '../../src/pages/index.ts'
import type { Test } from '../support/helper.ts'
import { buildPagesApp } from '../support/pages-app.ts'

const CHROMIUM = '/usr/bin/chromium'
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium)`
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const PAGES = {
  login: '/login',
  'login-error': '/login?error=1',
  consent: '/consent',
  error: '/error',
  'logout-confirm': '/logout',
  'logged-out': '/logged-out',
  'form-post': '/form-post',
}

async function launch(t: Test): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  t.teardown(() => browser.close())
  return browser
}

t.test(
  'every page at 1280 and 375 px: screenshot, no overflow, nothing blocked, no axe violation',
  { skip },
  async (t) => {
    const app = await buildPagesApp()
    t.teardown(() => app.close())
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
    const browser = await launch(t)
    for (const width of [1280, 375]) {
      const viewport = { width, height: width === 375 ? 740 : 800 }
      const context = await browser.newContext({ viewport })
      // axe-core is a script of its own, which the pages' CSP rightly refuses: it runs in a context that ignores it.
      const axeContext = await browser.newContext({ viewport, bypassCSP: true })
      // The form_post page as it looks without JavaScript (with it, it is gone to the client at once).
      const noScript = await browser.newContext({ viewport, javaScriptEnabled: false })
      for (const [name, path] of Object.entries(PAGES)) {
        const page = await (name === 'form-post' ? noScript : context).newPage()
        const problems: string[] = []
        page.on('console', (message) => message.type() === 'error' && problems.push(message.text()))
        page.on('pageerror', (error) => problems.push(error.message))
        await page.goto(`${baseUrl}${path}`)
        await page.screenshot({ path: `/tmp/pages-${name}-${width}.png`, fullPage: true })
        const overflow = await page.evaluate(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        )
        t.equal(overflow, 0, `${name} at ${width}: no horizontal scrolling`)
        if (name === 'form-post') continue
        t.same(
          problems.filter((text) => !text.startsWith('Failed to load resource')),
          [],
          `${name} at ${width}: no console error (a CSP violation is one)`,
        )
        const checked = await axeContext.newPage()
        await checked.goto(`${baseUrl}${path}`)
        await checked.addScriptTag({ content: AXE })
        const violations = await checked.evaluate(
          'axe.run(document).then((r) => r.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))',
        )
        t.same(violations, [], `${name} at ${width}: axe-core`)
        await Promise.all([page.close(), checked.close()])
      }
      await Promise.all([context.close(), axeContext.close(), noScript.close()])
    }
  },
)

t.test(
  'Chromium applies form-action to the redirect after a POST: the client origin must be listed; form_post submits itself',
  { skip },
  async (t) => {
    const client = createServer((_request, response) => response.end('arrived'))
    await new Promise<void>((resolve) => client.listen(0, '127.0.0.1', resolve))
    t.teardown(() => client.close())
    const clientUrl = `http://127.0.0.1:${(client.address() as AddressInfo).port}/callback`

    const app = Fastify()
    await app.register(formbody)
    await app.register(async (scope) => {
      const pages = await registerPageSupport(scope, {
        config: { uiTitle: 'Portcullis', issuer: 'http://localhost' },
        masterKey: Buffer.alloc(32, 3),
      })
      const form = (redirectTarget?: string) => ({
        action: '/go',
        clientName: 'Acme',
        scopes: [],
        ...(redirectTarget ? { redirectTarget } : {}),
      })
      scope.get('/self-only', async (_request, reply) => pages.renderConsent(reply, form()))
      scope.get('/with-client', async (_request, reply) => pages.renderConsent(reply, form(clientUrl)))
      scope.get('/form-post', async (_request, reply) =>
        pages.renderFormPost(reply, { redirectUri: clientUrl, params: { code: 'fp' } }),
      )
      scope.post('/go', { preHandler: pages.csrfProtection }, async (_request, reply) =>
        reply.redirect(`${clientUrl}?code=abc`, 303),
      )
    })
    t.teardown(() => app.close())
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
    const page = await (await launch(t)).newPage()

    await page.goto(`${baseUrl}/with-client`)
    await page.click('button[value="allow"]')
    await page.waitForURL(/code=abc/, { timeout: 5000 })
    t.match(await page.content(), /arrived/, 'the redirect to a listed origin is followed')

    await page.goto(`${baseUrl}/self-only`)
    await page.click('button[value="allow"]')
    const followed = await page.waitForURL(/code=abc/, { timeout: 3000 }).then(
      () => true,
      () => false,
    )
    t.equal(followed, false, "form-action 'self' alone blocks the redirect to the client")

    await page.goto(`${baseUrl}/form-post`)
    await page.waitForURL(clientUrl, { timeout: 5000 })
    t.match(await page.content(), /arrived/, 'the form_post page submits itself (its script is allowed by the CSP)')
  },
)
