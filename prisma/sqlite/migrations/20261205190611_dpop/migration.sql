-- AlterTable
ALTER TABLE "RefreshFamily" ADD COLUMN "dpopJkt" TEXT;

-- AlterTable
ALTER TABLE "AuthorizationCode" ADD COLUMN "dpopJkt" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Client" (
    "clientId" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "secretHash" TEXT,
    "previousSecretHash" TEXT,
    "previousSecretExpiresAt" DATETIME,
    "isPublic" BOOLEAN NOT NULL DEFAULT false,
    "grantTypes" TEXT NOT NULL,
    "scopes" TEXT NOT NULL DEFAULT '',
    "audiences" TEXT NOT NULL DEFAULT '',
    "redirectUris" TEXT NOT NULL DEFAULT '',
    "postLogoutRedirectUris" TEXT NOT NULL DEFAULT '',
    "firstParty" BOOLEAN NOT NULL DEFAULT false,
    "allowedOrigins" TEXT NOT NULL DEFAULT '',
    "jwks" TEXT,
    "jwksUri" TEXT,
    "tokenEndpointAudience" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "dpopBoundAccessTokens" BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO "new_Client" ("allowedOrigins", "audiences", "clientId", "createdAt", "firstParty", "grantTypes", "isPublic", "jwks", "jwksUri", "name", "postLogoutRedirectUris", "previousSecretExpiresAt", "previousSecretHash", "redirectUris", "scopes", "secretHash", "tokenEndpointAudience", "updatedAt") SELECT "allowedOrigins", "audiences", "clientId", "createdAt", "firstParty", "grantTypes", "isPublic", "jwks", "jwksUri", "name", "postLogoutRedirectUris", "previousSecretExpiresAt", "previousSecretHash", "redirectUris", "scopes", "secretHash", "tokenEndpointAudience", "updatedAt" FROM "Client";
DROP TABLE "Client";
ALTER TABLE "new_Client" RENAME TO "Client";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
