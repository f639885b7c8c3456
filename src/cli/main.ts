// The `portcullis` command-line tool (bin/portcullis.js runs the compiled form of this file): run.ts on this
// process's arguments, environment, working directory and standard streams.
import { runCli } from './run.js'

process.exitCode = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  async readStdin() {
    if (process.stdin.isTTY) process.stderr.write('reading from standard input; end with Ctrl-D\n')
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  },
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
})
