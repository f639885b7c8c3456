// The rendered API documentation at /docs, in a real headless browser (Debian's chromium through
// playwright-core; nothing is downloaded). Run by `npm run test:browser`, apart from `npm test`.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { parse } from 'yaml'
import { OPENAPI_PATH } from '../../scripts/write-openapi.ts'
import { listen } from '../support/listen.ts'

const CHROMIUM = '/usr/bin/chromium'
const METHODS = ['get', 'put', 'post', 'delete', 'patch']

const document = parse(readFileSync(OPENAPI_PATH, 'utf8')) as { paths: Record<string, Record<string, unknown>> }
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((method) => METHODS.includes(method))
    .map((method) => `${method.toUpperCase()} ${path}`),
)

t.test(
  '/docs renders every operation of the API, with nothing loaded from elsewhere',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium)` },
  async (t) => {
    const { baseUrl } = await listen(t)
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    t.teardown(() => browser.close())
    const page = await browser.newPage()
    const requested: string[] = []
    const failed: string[] = []
    const errors: string[] = []
    page.on('request', (request) => requested.push(request.url()))
    page.on('requestfailed', (request) => failed.push(`${request.url()} ${request.failure()?.errorText}`))
    page.on('pageerror', (error) => errors.push(error.message))

    const response = await page.goto(`${baseUrl}/docs`)
    t.equal(response?.status(), 200)
    await page.waitForSelector('.opblock', { timeout: 20_000 })

    t.match(await page.locator('.info .title').innerText(), /Portcullis/)
    // Runs in the page (the test's tsconfig has no DOM types, hence the small structural type).
    type Node = {
      querySelector(selector: string): { textContent: string | null; getAttribute(name: string): string | null } | null
    }
    const rendered = await page
      .locator('.opblock-summary')
      .evaluateAll((blocks) =>
        (blocks as unknown as Node[]).map(
          (block) =>
            `${block.querySelector('.opblock-summary-method')?.textContent?.trim()} ${block.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`,
        ),
      )
    t.same([...rendered].sort(), [...operations].sort(), 'one block per documented operation')
    t.ok(rendered.includes('POST /oauth/introspect') && rendered.includes('POST /oauth/token'))

    // Expanding an operation shows its request body and responses, i.e. the schemas resolved.
    await page.locator('.opblock-post:has([data-path="/oauth/revoke"]) .opblock-summary').first().click()
    await page.waitForSelector('.opblock.is-open .responses-table', { timeout: 10_000 })
    t.match(await page.locator('.opblock.is-open').innerText(), /token_type_hint/)

    t.same(
      requested.filter((url) => !url.startsWith(`${baseUrl}/`) && !url.startsWith('data:')),
      [],
      'every request goes to this server',
    )
    t.same(failed, [], 'no request failed')
    t.same(errors, [], 'no script error')
  },
)
