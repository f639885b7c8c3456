import type BetterSqlite3 from 'better-sqlite3'
import type { JSONWebKeySet } from 'jose'
import type pg from 'pg'
import type { PrismaClient } from './database.js'
import { translate } from './errors.js'
import { fromList, toList, toPage, type Page, type PageOptions } from './lists.js'
import { directRowReader } from './direct-read.js'
import { type Stored, toDate, toDateOrNull } from './sqlite-values.js'
import { ANY_TENANT, tenantWhere, type TenantScope } from './tenant-scope.js'
import { DEFAULT_TENANT_ID } from './tenants.js'

export interface Client {
  clientId: string
  /**
   * The tenant it belongs to: it logs in only that tenant's users and exchanges only its keys. Always set on a
   * client read from the store; absent means the default tenant (tenantOf()).
   */
  tenantId?: string
  name: string
  /** SHA-256 of the secret (security/secrets.ts); null for a public client. */
  secretHash: string | null
  previousSecretHash: string | null
  previousSecretExpiresAt: Date | null
  isPublic: boolean
  grantTypes: string[]
  scopes: string[]
  audiences: string[]
  /** Exact redirect URIs for the authorization code flow (oauth/authorize/redirect-uri.ts). */
  redirectUris: string[]
  /** Where a logout (RP-initiated) may send the browser back to, exactly. */
  postLogoutRedirectUris: string[]
  /** The operator's own application: no consent page. */
  firstParty: boolean
  /** Browser origins allowed to call the token endpoint and its neighbours (CORS). */
  allowedOrigins: string[]
  /** The JWS algorithm of its access tokens (one of SIGNING_ALGORITHMS); null: the server's first. */
  accessTokenSigningAlg: string | null
  /** The JWS algorithm of its ID tokens (OpenID Connect Registration §2); null: the server's default (oauth/id-token.ts). */
  idTokenSignedResponseAlg: string | null
  /** RFC 9449 §5.2 (dpop_bound_access_tokens): every token request must carry a DPoP proof. */
  dpopBoundAccessTokens: boolean
  /** private_key_jwt (RFC 7523 §2.2): the client's public keys inline, or where to fetch them; else both null. */
  jwks: JSONWebKeySet | null
  jwksUri: string | null
  /** The token endpoint URL is accepted as a client assertion's `aud` besides the issuer. */
  tokenEndpointAudience: boolean
  createdAt: Date
  updatedAt: Date
}

type ListField = 'grantTypes' | 'scopes' | 'audiences' | 'redirectUris' | 'postLogoutRedirectUris' | 'allowedOrigins'
type ClientRow = Omit<Client, ListField | 'jwks'> & Record<ListField, string> & { jwks: string | null }

/** The tenant of a client. */
export const tenantOf = (client: Pick<Client, 'tenantId'>): string => client.tenantId ?? DEFAULT_TENANT_ID

const toClient = (row: ClientRow): Client => ({
  ...row,
  jwks: row.jwks === null ? null : (JSON.parse(row.jwks) as JSONWebKeySet),
  grantTypes: toList(row.grantTypes),
  scopes: toList(row.scopes),
  audiences: toList(row.audiences),
  redirectUris: toList(row.redirectUris),
  postLogoutRedirectUris: toList(row.postLogoutRedirectUris),
  allowedOrigins: toList(row.allowedOrigins),
})

// Client authentication reads a client the cache does not hold (oauth/client-cache.ts) by id: without Prisma,
// whose per-query work is ~10 × this read's. With many tenants there are as many clients as the cache period
// does not cover (bench --tenants: 1,000 exchangers, each used every few seconds), so misses are common.
const CLIENT_COLUMNS = [
  'clientId',
  'tenantId',
  'name',
  'secretHash',
  'previousSecretHash',
  'previousSecretExpiresAt',
  'isPublic',
  'grantTypes',
  'scopes',
  'audiences',
  'redirectUris',
  'postLogoutRedirectUris',
  'firstParty',
  'allowedOrigins',
  'accessTokenSigningAlg',
  'idTokenSignedResponseAlg',
  'dpopBoundAccessTokens',
  'jwks',
  'jwksUri',
  'tokenEndpointAudience',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof ClientRow)[]
const CLIENT_SELECT = `SELECT ${CLIENT_COLUMNS.map((column) => `"${column}"`).join(', ')} FROM "Client" WHERE "clientId" = `

/** A row of the direct SQLite connection as Prisma reads it: booleans from integers, dates from text. */
const fromSqlite = (row: Record<keyof ClientRow, Stored>): ClientRow => ({
  ...(row as unknown as ClientRow),
  previousSecretExpiresAt: toDateOrNull(row.previousSecretExpiresAt),
  isPublic: Boolean(row.isPublic),
  firstParty: Boolean(row.firstParty),
  dpopBoundAccessTokens: Boolean(row.dpopBoundAccessTokens),
  tokenEndpointAudience: Boolean(row.tokenEndpointAudience),
  createdAt: toDate(row.createdAt),
  updatedAt: toDate(row.updatedAt),
})

/** What browser sign-in adds to a client; absent members keep their current (or default) value. */
export interface BrowserSignInFields {
  redirectUris?: readonly string[]
  postLogoutRedirectUris?: readonly string[]
  firstParty?: boolean
  allowedOrigins?: readonly string[]
  dpopBoundAccessTokens?: boolean
}

/** How a private_key_jwt client proves itself: its keys (one of the two) and the audience it may use. */
export interface ClientKeyFields {
  jwks?: JSONWebKeySet | null
  jwksUri?: string | null
  tokenEndpointAudience?: boolean
}

const keyData = (fields: ClientKeyFields) => ({
  ...(fields.jwks === undefined ? {} : { jwks: fields.jwks === null ? null : JSON.stringify(fields.jwks) }),
  ...(fields.jwksUri === undefined ? {} : { jwksUri: fields.jwksUri }),
  ...(fields.tokenEndpointAudience === undefined ? {} : { tokenEndpointAudience: fields.tokenEndpointAudience }),
})

/** How the client authenticates at the token endpoint (RFC 7591 §2 `token_endpoint_auth_method`). */
export function authMethodOf(client: Pick<Client, 'isPublic' | 'jwks' | 'jwksUri'>) {
  if (client.isPublic) return 'none'
  return client.jwks !== null || client.jwksUri !== null ? 'private_key_jwt' : 'client_secret_basic'
}

const browserSignInData = (fields: BrowserSignInFields) => ({
  ...(fields.redirectUris ? { redirectUris: fromList(fields.redirectUris) } : {}),
  ...(fields.postLogoutRedirectUris ? { postLogoutRedirectUris: fromList(fields.postLogoutRedirectUris) } : {}),
  ...(fields.firstParty === undefined ? {} : { firstParty: fields.firstParty }),
  ...(fields.allowedOrigins ? { allowedOrigins: fromList(fields.allowedOrigins) } : {}),
  ...(fields.dpopBoundAccessTokens === undefined ? {} : { dpopBoundAccessTokens: fields.dpopBoundAccessTokens }),
})

export interface NewClient extends BrowserSignInFields, ClientKeyFields {
  clientId: string
  /** Default: the default tenant. */
  tenantId?: string
  name: string
  secretHash: string | null
  grantTypes: readonly string[]
  scopes: readonly string[]
  audiences?: readonly string[]
  accessTokenSigningAlg?: string | null
  idTokenSignedResponseAlg?: string | null
}

/**
 * `sqlite`: the direct connection of an SQLite database (database.ts), `pool`: PostgreSQL's pool; a client by id
 * alone (ANY_TENANT) is read through them (through Prisma when neither is given, while SQLite's is busy, or within a
 * tenant).
 */
export function createClientStore(prisma: PrismaClient, sqlite?: () => BetterSqlite3.Database, pool?: pg.Pool) {
  const findDirect = directRowReader<ClientRow>(CLIENT_SELECT, { sqlite, pool }, fromSqlite)
  return {
    async create(input: NewClient): Promise<Client> {
      const row = await translate(`client ${input.clientId}`, () =>
        prisma.client.create({
          data: {
            clientId: input.clientId,
            tenantId: input.tenantId ?? DEFAULT_TENANT_ID,
            name: input.name,
            secretHash: input.secretHash,
            // A client with neither a secret nor keys is public (RFC 6749 §2.1).
            isPublic: input.secretHash === null && !input.jwks && !input.jwksUri,
            grantTypes: fromList(input.grantTypes),
            scopes: fromList(input.scopes),
            audiences: fromList(input.audiences ?? []),
            accessTokenSigningAlg: input.accessTokenSigningAlg ?? null,
            idTokenSignedResponseAlg: input.idTokenSignedResponseAlg ?? null,
            ...browserSignInData(input),
            ...keyData(input),
          },
        }),
      )
      return toClient(row)
    },

    /**
     * By id, within the scope: another tenant's client is not found. ANY_TENANT reads without Prisma (client
     * authentication, where the client_id is what names the tenant).
     */
    async findById(scope: TenantScope, clientId: string): Promise<Client | undefined> {
      if (scope === ANY_TENANT && findDirect) {
        const direct = await findDirect(clientId)
        if (direct !== 'busy') return direct && toClient(direct)
      }
      const row = await prisma.client.findUnique({ where: { clientId, ...tenantWhere(scope) } })
      return row ? toClient(row) : undefined
    },

    /** Every origin some client allows (CORS, oauth/cors-origins.ts). */
    async listAllowedOrigins(scope: TenantScope): Promise<string[]> {
      const rows = await prisma.client.findMany({
        where: { allowedOrigins: { not: '' }, ...tenantWhere(scope) },
        select: { allowedOrigins: true },
      })
      return [...new Set(rows.flatMap((row) => toList(row.allowedOrigins)))]
    },

    async list(scope: TenantScope, options: PageOptions): Promise<Page<Client>> {
      const rows = await prisma.client.findMany({
        where: {
          ...tenantWhere(scope),
          ...(options.after ? { clientId: { gt: options.after } } : {}),
        },
        orderBy: { clientId: 'asc' },
        take: options.limit + 1,
      })
      return toPage(rows, options.limit, toClient, (row) => row.clientId)
    },

    /** Another tenant's client is not_found, and unchanged. */
    async update(
      scope: TenantScope,
      clientId: string,
      changes: {
        name?: string
        grantTypes?: readonly string[]
        scopes?: readonly string[]
        audiences?: readonly string[]
        accessTokenSigningAlg?: string | null
        idTokenSignedResponseAlg?: string | null
      } & BrowserSignInFields &
        ClientKeyFields,
    ): Promise<Client> {
      const row = await translate('client', () =>
        prisma.client.update({
          where: { clientId, ...tenantWhere(scope) },
          data: {
            ...(changes.name === undefined ? {} : { name: changes.name }),
            ...(changes.grantTypes ? { grantTypes: fromList(changes.grantTypes) } : {}),
            ...(changes.scopes ? { scopes: fromList(changes.scopes) } : {}),
            ...(changes.audiences ? { audiences: fromList(changes.audiences) } : {}),
            ...(changes.accessTokenSigningAlg === undefined
              ? {}
              : { accessTokenSigningAlg: changes.accessTokenSigningAlg }),
            ...(changes.idTokenSignedResponseAlg === undefined
              ? {}
              : { idTokenSignedResponseAlg: changes.idTokenSignedResponseAlg }),
            ...browserSignInData(changes),
            ...keyData(changes),
          },
        }),
      )
      return toClient(row)
    },

    /** Replaces the secret hash; the old one stays valid until `previousValidUntil` (null: not at all). */
    async rotateSecret(
      scope: TenantScope,
      clientId: string,
      secretHash: string,
      previousValidUntil: Date | null,
    ): Promise<Client> {
      return translate('client', () =>
        prisma.$transaction(async (tx) => {
          const current = await tx.client.findUniqueOrThrow({ where: { clientId, ...tenantWhere(scope) } })
          const row = await tx.client.update({
            where: { clientId, ...tenantWhere(scope) },
            data: {
              secretHash,
              previousSecretHash: previousValidUntil ? current.secretHash : null,
              previousSecretExpiresAt: previousValidUntil,
            },
          })
          return toClient(row)
        }),
      )
    },

    /** Deletes the client; its refresh-token families go with it (cascade). */
    async delete(scope: TenantScope, clientId: string): Promise<void> {
      await translate('client', () => prisma.client.delete({ where: { clientId, ...tenantWhere(scope) } }))
    },
  }
}

export type ClientStore = ReturnType<typeof createClientStore>
