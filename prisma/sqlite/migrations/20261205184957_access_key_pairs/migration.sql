-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_AccessKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "prefix" TEXT NOT NULL,
    "secretHash" TEXT,
    "publicKey" TEXT,
    "publicKeyThumbprint" TEXT,
    "name" TEXT NOT NULL,
    "userId" TEXT,
    "scopes" TEXT NOT NULL,
    "expiresAt" DATETIME,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    "parentId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AccessKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AccessKey" ("createdAt", "expiresAt", "id", "lastUsedAt", "name", "parentId", "prefix", "revokedAt", "scopes", "secretHash", "updatedAt", "userId") SELECT "createdAt", "expiresAt", "id", "lastUsedAt", "name", "parentId", "prefix", "revokedAt", "scopes", "secretHash", "updatedAt", "userId" FROM "AccessKey";
DROP TABLE "AccessKey";
ALTER TABLE "new_AccessKey" RENAME TO "AccessKey";
CREATE INDEX "AccessKey_userId_idx" ON "AccessKey"("userId");
CREATE INDEX "AccessKey_parentId_idx" ON "AccessKey"("parentId");
CREATE INDEX "AccessKey_expiresAt_idx" ON "AccessKey"("expiresAt");
CREATE INDEX "AccessKey_revokedAt_idx" ON "AccessKey"("revokedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
-- The rebuild dropped the table's change triggers (20261205130000_change_notifications): made again, the update
-- trigger also watching the public key.
CREATE TRIGGER "AccessKey_insert_change" AFTER INSERT ON "AccessKey" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'AccessKey'; END;
CREATE TRIGGER "AccessKey_update_change" AFTER UPDATE OF "id", "prefix", "secretHash", "publicKey", "name", "userId", "scopes", "expiresAt", "revokedAt" ON "AccessKey" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'AccessKey'; END;
CREATE TRIGGER "AccessKey_delete_change" AFTER DELETE ON "AccessKey" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'AccessKey'; END;
