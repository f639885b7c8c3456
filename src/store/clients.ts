import type { PrismaClient } from './database.js'
import { translate } from './errors.js'
import { fromList, toList, toPage, type Page, type PageOptions } from './lists.js'

export interface Client {
  clientId: string
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
  /** The JWS algorithm of its tokens (one of SIGNING_ALGORITHMS); null: the server's first. */
  accessTokenSigningAlg: string | null
  createdAt: Date
  updatedAt: Date
}

type ListField = 'grantTypes' | 'scopes' | 'audiences' | 'redirectUris' | 'postLogoutRedirectUris' | 'allowedOrigins'
type ClientRow = Omit<Client, ListField> & Record<ListField, string>

const toClient = (row: ClientRow): Client => ({
  ...row,
  grantTypes: toList(row.grantTypes),
  scopes: toList(row.scopes),
  audiences: toList(row.audiences),
  redirectUris: toList(row.redirectUris),
  postLogoutRedirectUris: toList(row.postLogoutRedirectUris),
  allowedOrigins: toList(row.allowedOrigins),
})

/** What browser sign-in adds to a client; absent members keep their current (or default) value. */
export interface BrowserSignInFields {
  redirectUris?: readonly string[]
  postLogoutRedirectUris?: readonly string[]
  firstParty?: boolean
  allowedOrigins?: readonly string[]
}

const browserSignInData = (fields: BrowserSignInFields) => ({
  ...(fields.redirectUris ? { redirectUris: fromList(fields.redirectUris) } : {}),
  ...(fields.postLogoutRedirectUris ? { postLogoutRedirectUris: fromList(fields.postLogoutRedirectUris) } : {}),
  ...(fields.firstParty === undefined ? {} : { firstParty: fields.firstParty }),
  ...(fields.allowedOrigins ? { allowedOrigins: fromList(fields.allowedOrigins) } : {}),
})

export interface NewClient extends BrowserSignInFields {
  clientId: string
  name: string
  secretHash: string | null
  grantTypes: readonly string[]
  scopes: readonly string[]
  audiences?: readonly string[]
  accessTokenSigningAlg?: string | null
}

export function createClientStore(prisma: PrismaClient) {
  return {
    async create(input: NewClient): Promise<Client> {
      const row = await translate(`client ${input.clientId}`, () =>
        prisma.client.create({
          data: {
            clientId: input.clientId,
            name: input.name,
            secretHash: input.secretHash,
            isPublic: input.secretHash === null,
            grantTypes: fromList(input.grantTypes),
            scopes: fromList(input.scopes),
            audiences: fromList(input.audiences ?? []),
            accessTokenSigningAlg: input.accessTokenSigningAlg ?? null,
            ...browserSignInData(input),
          },
        }),
      )
      return toClient(row)
    },

    async findById(clientId: string): Promise<Client | undefined> {
      const row = await prisma.client.findUnique({ where: { clientId } })
      return row ? toClient(row) : undefined
    },

    /** Every origin some client allows (CORS, oauth/cors-origins.ts). */
    async listAllowedOrigins(): Promise<string[]> {
      const rows = await prisma.client.findMany({
        where: { allowedOrigins: { not: '' } },
        select: { allowedOrigins: true },
      })
      return [...new Set(rows.flatMap((row) => toList(row.allowedOrigins)))]
    },

    async list(options: PageOptions): Promise<Page<Client>> {
      const rows = await prisma.client.findMany({
        where: options.after ? { clientId: { gt: options.after } } : {},
        orderBy: { clientId: 'asc' },
        take: options.limit + 1,
      })
      return toPage(rows, options.limit, toClient, (row) => row.clientId)
    },

    async update(
      clientId: string,
      changes: {
        name?: string
        grantTypes?: readonly string[]
        scopes?: readonly string[]
        audiences?: readonly string[]
        accessTokenSigningAlg?: string | null
      } & BrowserSignInFields,
    ): Promise<Client> {
      const row = await translate('client', () =>
        prisma.client.update({
          where: { clientId },
          data: {
            ...(changes.name === undefined ? {} : { name: changes.name }),
            ...(changes.grantTypes ? { grantTypes: fromList(changes.grantTypes) } : {}),
            ...(changes.scopes ? { scopes: fromList(changes.scopes) } : {}),
            ...(changes.audiences ? { audiences: fromList(changes.audiences) } : {}),
            ...(changes.accessTokenSigningAlg === undefined
              ? {}
              : { accessTokenSigningAlg: changes.accessTokenSigningAlg }),
            ...browserSignInData(changes),
          },
        }),
      )
      return toClient(row)
    },

    /** Replaces the secret hash; the old one stays valid until `previousValidUntil` (null: not at all). */
    async rotateSecret(clientId: string, secretHash: string, previousValidUntil: Date | null): Promise<Client> {
      return translate('client', () =>
        prisma.$transaction(async (tx) => {
          const current = await tx.client.findUniqueOrThrow({ where: { clientId } })
          const row = await tx.client.update({
            where: { clientId },
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
    async delete(clientId: string): Promise<void> {
      await translate('client', () => prisma.client.delete({ where: { clientId } }))
    },
  }
}

export type ClientStore = ReturnType<typeof createClientStore>
