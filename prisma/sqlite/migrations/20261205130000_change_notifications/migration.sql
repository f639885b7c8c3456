-- Change counters (store/change-feed.ts): SQLite cannot notify another process, so a change to a table that
-- running instances cache or hold in memory adds one to that table's row here, in the same transaction,
-- whichever process made it (an instance, the CLI or SQL by hand). Each instance checks PRAGMA data_version
-- (which moves when another connection commits) every few hundred milliseconds and, when it moved, reads
-- these few rows to learn which tables changed. Not a Prisma model: nothing but the triggers writes it and
-- only the change feed reads it. No trigger on the tables the token endpoint writes (RefreshToken,
-- RefreshFamily, LoginThrottle, AuditEvent), and the columns written on every use (AccessKey.lastUsedAt and
-- its updatedAt) are left out, so the hot paths add nothing.
CREATE TABLE "_ChangeCount" (
    "table" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "_ChangeCount" ("table") VALUES ('AccessKey'), ('User'), ('Client'), ('SigningKey'), ('RevokedToken');
CREATE TRIGGER "AccessKey_insert_change" AFTER INSERT ON "AccessKey" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'AccessKey'; END;
CREATE TRIGGER "AccessKey_update_change" AFTER UPDATE OF "id", "prefix", "secretHash", "name", "userId", "scopes", "expiresAt", "revokedAt" ON "AccessKey" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'AccessKey'; END;
CREATE TRIGGER "AccessKey_delete_change" AFTER DELETE ON "AccessKey" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'AccessKey'; END;
CREATE TRIGGER "User_insert_change" AFTER INSERT ON "User" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'User'; END;
CREATE TRIGGER "User_update_change" AFTER UPDATE ON "User" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'User'; END;
CREATE TRIGGER "User_delete_change" AFTER DELETE ON "User" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'User'; END;
CREATE TRIGGER "Client_insert_change" AFTER INSERT ON "Client" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'Client'; END;
CREATE TRIGGER "Client_update_change" AFTER UPDATE ON "Client" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'Client'; END;
CREATE TRIGGER "Client_delete_change" AFTER DELETE ON "Client" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'Client'; END;
CREATE TRIGGER "SigningKey_insert_change" AFTER INSERT ON "SigningKey" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'SigningKey'; END;
CREATE TRIGGER "SigningKey_update_change" AFTER UPDATE ON "SigningKey" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'SigningKey'; END;
CREATE TRIGGER "SigningKey_delete_change" AFTER DELETE ON "SigningKey" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'SigningKey'; END;
-- Only new revocations matter: the janitor's deletes of expired rows change nothing an instance holds.
CREATE TRIGGER "RevokedToken_insert_change" AFTER INSERT ON "RevokedToken" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'RevokedToken'; END;
