// A script that calls the API with an access key: PORTCULLIS_ACCESS_KEY (and API_URL) from the environment.
// Run: PORTCULLIS_ACCESS_KEY=pcl_… API_URL=http://127.0.0.1:4000 npx tsx --conditions=portcullis-source examples/access-key-script/main.ts
import { createFetch, type Environment, fromEnv } from '@portcullis/client'

/** Creates one object and lists them; returns what it printed. */
export async function main(env: Environment, print: (line: string) => void = console.log): Promise<void> {
  const apiUrl = env.API_URL
  if (!apiUrl) throw new Error('API_URL is not set (the API to call)')
  const api = createFetch(fromEnv(env), { baseUrl: apiUrl })
  const created = await api('/objects', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `report ${new Date().toISOString().slice(0, 10)}` }),
  })
  print(`created: ${JSON.stringify(await created.json())}`)
  const listed = (await (await api('/objects')).json()) as { objects: unknown[] }
  print(`${listed.objects.length} object(s)`)
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.env)
