// A logger for what starts before the app and its logger exist (the keyring, the change feed): it holds their
// messages and writes them once attached to the app's logger.

/** The two levels those early parts log at, with pino's argument order. */
export interface EarlyLogger {
  info(details: object, message: string): void
  error(details: object, message: string): void
}

export function createDeferredLogger(): EarlyLogger & { attach(target: EarlyLogger): void } {
  let target: EarlyLogger | undefined
  const held: Array<['info' | 'error', object, string]> = []
  return {
    info: (details, message) => (target ? target.info(details, message) : void held.push(['info', details, message])),
    error: (details, message) =>
      target ? target.error(details, message) : void held.push(['error', details, message]),
    attach(logger) {
      target = logger
      for (const [level, details, message] of held.splice(0)) logger[level](details, message)
    },
  }
}
