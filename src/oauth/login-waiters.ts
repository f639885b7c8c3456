// Logins waiting for a throttle key that is busy (its attempts in flight fill its limit; login-attempts.ts):
// one list per key, per app, so that an attempt ending on this instance wakes a waiter at once, in arrival
// order. Attempts ending on other instances are noticed by the waiter's own poll of the database.

export interface LoginWaiters {
  /** Resolves when woken for `key`, or after `ms` (the caller then asks the database again). */
  wait(key: string, ms: number): Promise<void>
  /** An attempt on `key` ended: wakes the longest waiter, or all of them (say, the key was just locked). */
  wake(key: string, all?: boolean): void
  /** How many logins wait for `key`. */
  waiting(key: string): number
}

export function createLoginWaiters(): LoginWaiters {
  const lists = new Map<string, (() => void)[]>()
  const remove = (key: string, waiter: () => void) => {
    const list = lists.get(key)
    if (!list) return
    const index = list.indexOf(waiter)
    if (index >= 0) list.splice(index, 1)
    if (list.length === 0) lists.delete(key)
  }
  return {
    wait(key, ms) {
      return new Promise<void>((resolve) => {
        const waiter = () => {
          clearTimeout(timer)
          remove(key, waiter)
          resolve()
        }
        const timer = setTimeout(waiter, ms)
        const list = lists.get(key)
        if (list) list.push(waiter)
        else lists.set(key, [waiter])
      })
    },
    wake(key, all = false) {
      const list = lists.get(key)
      if (!list) return
      for (const waiter of all ? [...list] : list.slice(0, 1)) waiter()
    },
    waiting: (key) => lists.get(key)?.length ?? 0,
  }
}
