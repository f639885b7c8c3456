// Route schemas compiled when first needed, not all at startup. Fastify compiles every route's request
// validators (Ajv) and response serializers (fast-json-stringify) as the app becomes ready: measured, about a
// fifth of a cold start on an empty database, for routes an instance may never serve (the admin API, the
// docs). Here each compiler returns a stand-in that compiles its schema on its first call, and once the
// server listens, compileAll() compiles the rest one per event-loop turn, so that requests keep being
// answered meanwhile and the first request of a route seldom pays for it. Fastify's own compilers and
// options are used, so what is accepted and what is sent does not change.
import { createRequire } from 'node:module'
import type { FastifySchemaCompiler, FastifySerializerCompiler, FastifyServerOptions } from 'fastify'

// Loaded with the first schema they compile, not at startup: Ajv alone is some 90 modules.
const require = createRequire(import.meta.url)
const ajvCompiler = (): typeof import('@fastify/ajv-compiler') => require('@fastify/ajv-compiler')
const serializerCompiler = (): typeof import('@fastify/fast-json-stringify-compiler') =>
  require('@fastify/fast-json-stringify-compiler')

type Validate = ((data: unknown, context?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown }
type BuildValidator = (externalSchemas: unknown, options: unknown) => FastifySchemaCompiler<unknown>
type BuildSerializer = (externalSchemas: unknown, options: unknown) => FastifySerializerCompiler<unknown>

export interface LazySchemas {
  /** For Fastify's `schemaController` option: its default compilers, made lazy. */
  readonly schemaController: NonNullable<FastifyServerOptions['schemaController']>
  /** Makes another validator compiler (a route group's own) lazy the same way. */
  validatorCompiler<T>(compile: FastifySchemaCompiler<T>): FastifySchemaCompiler<T>
  /** Compiles every schema not compiled yet, one per event-loop turn; resolves with how many it compiled. */
  compileAll(): Promise<number>
}

export function createLazySchemas(): LazySchemas {
  const pending = new Set<() => void>()

  /** A function that runs `build` on its first call (or in compileAll), then is what `build` returned. */
  function deferred<F>(build: () => F): () => F {
    let built: F | undefined
    const get = () => {
      if (built === undefined) {
        built = build()
        pending.delete(get)
      }
      return built
    }
    pending.add(get)
    return get
  }

  function lazyValidator(build: () => Validate): Validate {
    const get = deferred(build)
    const validate: Validate = (data, context) => {
      const compiled = get()
      const result = context === undefined ? compiled(data) : compiled(data, context)
      validate.errors = compiled.errors
      return result
    }
    // Fastify passes the parent object (so that Ajv can coerce a root value) to functions with a schemaEnv;
    // Ajv's all have one.
    validate.schemaEnv = true
    return validate
  }

  const validatorCompiler = <T>(compile: FastifySchemaCompiler<T>): FastifySchemaCompiler<T> =>
    ((route: Parameters<FastifySchemaCompiler<T>>[0]) =>
      lazyValidator(() => compile(route) as Validate)) as FastifySchemaCompiler<T>

  let defaultValidators: BuildValidator | undefined
  let defaultSerializers: BuildSerializer | undefined
  const schemaController = {
    compilersFactory: {
      buildValidator: (externalSchemas: unknown, options: unknown) => {
        const compiler = deferred(() =>
          (defaultValidators ??= ajvCompiler().AjvCompiler() as BuildValidator)(externalSchemas, options),
        )
        return validatorCompiler((route) => compiler()(route))
      },
      buildSerializer: (externalSchemas: unknown, options: unknown) => {
        const compiler = deferred(() =>
          (defaultSerializers ??= serializerCompiler().SerializerSelector() as BuildSerializer)(
            externalSchemas,
            options,
          ),
        )
        return (route: Parameters<FastifySerializerCompiler<unknown>>[0]) => {
          const get = deferred(() => compiler()(route))
          return (data: unknown) => get()(data)
        }
      },
    },
  } as unknown as LazySchemas['schemaController']

  async function compileAll(): Promise<number> {
    let compiled = 0
    for (const get of pending) {
      await new Promise((resolve) => setImmediate(resolve))
      if (!pending.has(get)) continue
      get()
      compiled++
    }
    return compiled
  }

  return { schemaController, validatorCompiler, compileAll }
}
