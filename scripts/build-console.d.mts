// Types of build-console.mjs (plain JavaScript: `npm start` runs it before anything is compiled).
export declare const SOURCE: string
export declare const OUT: string
export declare const BUDGET_BYTES: number
export declare function consoleIsStale(): boolean
export declare function buildConsole(options?: {
  clean?: boolean
}): Promise<{ gzipBytes: number; scriptBytes: number; files: string[] }>
export declare function ensureConsoleBuilt(): Promise<void>
