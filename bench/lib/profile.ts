// Reading a V8 CPU profile (node --cpu-prof) of the server: the functions where it spent its own time,
// which is where a missed target is found.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface Frame {
  name: string
  /** Share of the busy (non-idle) samples where this function was on top of the stack. */
  selfShare: number
  /** Share of the busy samples where it was anywhere on the stack. */
  totalShare: number
}

/** Self and total time per function (by name and location) of one profile. */
export function topFrames(profile: CpuProfile, limit = 25): Frame[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const selfCounts = new Map<string, number>()
  const totalCounts = new Map<string, number>()
  const label = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame
    const file = url
      .replace(/^file:\/\//, '')
      .replace(/^.*\/node_modules\//, '')
      .replace(/^.*\/portcullis-bench-build-[^/]+\//, '')
    return `${functionName || '(anonymous)'} ${file ? `${relative('.', file) || file}:${lineNumber + 1}` : ''}`.trim()
  }
  // Idle samples are the server waiting for requests: shares are of the time it was doing something.
  const busy = profile.samples.filter((sample) => byId.get(sample)!.callFrame.functionName !== '(idle)')
  for (const sample of busy) {
    const node = byId.get(sample)!
    selfCounts.set(label(node), (selfCounts.get(label(node)) ?? 0) + 1)
    const seen = new Set<string>()
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const name = label(byId.get(id)!)
      if (!seen.has(name)) totalCounts.set(name, (totalCounts.get(name) ?? 0) + 1)
      seen.add(name)
    }
  }
  const total = busy.length || 1
  return [...selfCounts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, count]) => ({ name, selfShare: count / total, totalShare: (totalCounts.get(name) ?? count) / total }))
}

/** A text summary of the main thread's profile in `dir`. */
export function summariseProfiles(dir: string, limit = 25): string {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => join(dir, file))
    // Worker threads (the bcrypt pool) write profiles of their own; the main thread's is the biggest.
    .sort((a, b) => statSync(b).size - statSync(a).size)
  if (files.length === 0) return `no CPU profile in ${dir}`
  const profile = JSON.parse(readFileSync(files[0]!, 'utf8')) as CpuProfile
  const frames = topFrames(profile, limit)
  return [
    `CPU profile of the server: ${files[0]} (${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s, ${profile.samples.length} samples, main thread only)`,
    '  self %  total %  function  (shares of the busy samples)',
    ...frames.map(
      (frame) =>
        `  ${(frame.selfShare * 100).toFixed(1).padStart(6)}  ${(frame.totalShare * 100).toFixed(1).padStart(7)}  ${frame.name}`,
    ),
  ].join('\n')
}
