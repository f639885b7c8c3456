// Argument helpers shared by the command modules: lists, positionals, passwords from standard input.
import type { parseArgs } from 'node:util'
import { scopeProblems } from '../manage/rules.js'
import { CliError, type CliIo } from './command.js'

/** The positionals a command takes, by name; a missing or extra one is a clear error. */
export function expectPositionals(positionals: readonly string[], names: readonly string[]): string[] {
  if (positionals.length < names.length) throw new CliError(`missing ${names[positionals.length]}`)
  if (positionals.length > names.length) throw new CliError(`unexpected argument "${positionals[names.length]}"`)
  return [...positionals]
}

export function requireString(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name]
  if (typeof value !== 'string' || value.trim() === '') throw new CliError(`--${name} is required`)
  return value.trim()
}

/** A space-separated list (scopes and audiences use OAuth's own format, RFC 6749 §3.3). */
export function spaceList(value: string | boolean | undefined): string[] {
  return typeof value === 'string' ? [...new Set(value.split(/\s+/).filter(Boolean))] : []
}

/** Scopes (RFC 6749 §3.3), checked before anything else is asked for (a password on standard input). */
export function scopeList(value: string | boolean | undefined): string[] {
  const scopes = spaceList(value)
  const problem = scopeProblems(scopes)[0]
  if (problem) throw new CliError(`--scopes: ${problem.message}`)
  return scopes
}

/**
 * Reads a password piped on standard input (never on the command line, where `ps` and shell history
 * would see it). One trailing newline is dropped, as `echo` and here-strings add it. Its length is a rule
 * of manage/rules.ts, checked where the password is used.
 */
export async function readPassword(io: CliIo, values: Record<string, string | boolean | undefined>): Promise<string> {
  if (values['password-stdin'] !== true)
    throw new CliError('--password-stdin is required: pipe the password on standard input (never on the command line)')
  const password = (await io.readStdin()).replace(/\r?\n$/, '')
  if (password === '') throw new CliError('the password on standard input is empty')
  return password
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'] & object

/**
 * A value that starts with one dash is a positional unless it names an option: a signing key's kid is
 * base64url and may start with "-" ("-cwIg…"), and `revoke KID` must take it as `list` printed it. Such values
 * go after "--", where parseArgs reads only positionals (every command takes at most one). A dash-led value
 * right after an option that takes one stays where it is: parseArgs asks for `--name=-value` there.
 */
export function dashLedValuesLast(args: readonly string[], options: Options): string[] {
  const end = args.indexOf('--')
  const head = end === -1 ? args : args.slice(0, end)
  const shorts = new Set(Object.values(options).flatMap((option) => (option.short ? [`-${option.short}`] : [])))
  const takesValue = (arg: string | undefined) =>
    arg?.startsWith('--') === true && !arg.includes('=') && options[arg.slice(2)]?.type === 'string'
  const isValue = (arg: string, i: number) =>
    arg.length > 1 && arg.startsWith('-') && !arg.startsWith('--') && !shorts.has(arg) && !takesValue(head[i - 1])
  const moved = head.filter(isValue)
  if (moved.length === 0) return [...args]
  return [...head.filter((arg, i) => !isValue(arg, i)), '--', ...moved, ...(end === -1 ? [] : args.slice(end + 1))]
}
