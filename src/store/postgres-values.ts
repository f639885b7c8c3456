// Values on node-postgres, for the few statements the store sends on the pool without Prisma (database.ts
// `pool`), written and read as @prisma/adapter-pg does.
import type pg from 'pg'
import { loadedPg } from './pg-driver.js'

// Prisma's columns are TIMESTAMP(3) without a time zone, holding UTC (as @prisma/adapter-pg writes and reads
// them). node-postgres would read them in the process's local time zone: read them as UTC instead.
const TIMESTAMP_OID = 1114
const utcTimestamp = (text: string): Date => new Date(`${text.replace(' ', 'T')}Z`)

/** Type parsers for a query's `types`: timestamps as UTC, the rest as node-postgres reads them. */
export const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === TIMESTAMP_OID
      ? utcTimestamp
      : (loadedPg().types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format),
} as pg.CustomTypesConfig

/** Timestamps as the adapter writes them: UTC; PostgreSQL ignores the zone of a TIMESTAMP value. */
export const toTimestamp = (date: Date): string => date.toISOString()
