#!/usr/bin/env node
// The `portcullis` command-line tool (package.json "bin"): compiles on first use in a checkout.
import { ensureBuilt } from '../scripts/ensure-built.mjs'

ensureBuilt()
await import('../dist/cli/main.js')
