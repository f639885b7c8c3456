// The CPUs this process may use: os.availableParallelism() bounded by a container's CPU limit. CommonJS (and
// without dependencies) so that the entry point, main.cts, can size libuv's thread pool from it before anything
// starts that pool; config.ts sizes the bcrypt workers from it.
import fs = require('node:fs')
import os = require('node:os')

function readIfExists(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/**
 * The CPUs a container may use (cgroup v2 `cpu.max`, or v1's CFS quota), rounded up; undefined without a limit.
 * os.availableParallelism() counts the host's CPUs under `docker run --cpus=2`, and one thread per host CPU
 * would only queue for the two.
 */
function cgroupCpuLimit(readText: (path: string) => string | undefined = readIfExists): number | undefined {
  const v2 = readText('/sys/fs/cgroup/cpu.max')?.trim().split(/\s+/)
  const [quota, period] = v2
    ? [Number(v2[0]), Number(v2[1])]
    : [
        Number(readText('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')),
        Number(readText('/sys/fs/cgroup/cpu/cpu.cfs_period_us')),
      ]
  return quota > 0 && period > 0 ? Math.max(1, Math.ceil(quota / period)) : undefined
}

/** The CPUs available to this process: the machine's, or fewer under a container's CPU limit. */
function availableCpus(): number {
  return Math.min(os.availableParallelism(), cgroupCpuLimit() ?? Infinity)
}

export = { cgroupCpuLimit, availableCpus }
