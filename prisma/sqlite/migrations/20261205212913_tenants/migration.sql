-- CreateTable
CREATE TABLE "Tenant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Workspace" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Workspace_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Role" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "scopes" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Role_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "roleId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Membership_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Membership_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role" ("id") ON DELETE NO ACTION ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Tenant_slug_key" ON "Tenant"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Workspace_tenantId_slug_key" ON "Workspace"("tenantId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "Role_tenantId_name_key" ON "Role"("tenantId", "name");

-- CreateIndex
CREATE INDEX "Membership_workspaceId_idx" ON "Membership"("workspaceId");

-- CreateIndex
CREATE INDEX "Membership_roleId_idx" ON "Membership"("roleId");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_userId_workspaceId_key" ON "Membership"("userId", "workspaceId");

-- Tenant-owned tables gain their tenant by ADD COLUMN, written by hand: the rebuild Prisma writes for SQLite would
-- drop the change-feed triggers of User, Client and AccessKey. Every existing row joins the `default` tenant.
INSERT INTO "Tenant" ("id", "slug", "name", "createdAt") VALUES ('00000000-0000-7000-8000-000000000000', 'default', 'Default', CURRENT_TIMESTAMP);
ALTER TABLE "User" ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';
ALTER TABLE "Client" ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';
ALTER TABLE "RefreshFamily" ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';
ALTER TABLE "AccessKey" ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';
ALTER TABLE "AuditEvent" ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';
ALTER TABLE "Session" ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';
ALTER TABLE "AuthorizationCode" ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';
ALTER TABLE "Consent" ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';
ALTER TABLE "AccessKey" ADD COLUMN "workspaceId" TEXT;
-- Usernames are unique within a tenant.
DROP INDEX "User_username_key";
CREATE UNIQUE INDEX "User_tenantId_username_key" ON "User"("tenantId", "username");
CREATE INDEX "Client_tenantId_idx" ON "Client"("tenantId");
CREATE INDEX "RefreshFamily_tenantId_idx" ON "RefreshFamily"("tenantId");
CREATE INDEX "AccessKey_tenantId_idx" ON "AccessKey"("tenantId");
CREATE INDEX "AccessKey_workspaceId_idx" ON "AccessKey"("workspaceId");
CREATE INDEX "AuditEvent_tenantId_createdAt_idx" ON "AuditEvent"("tenantId", "createdAt");
-- An access key's scopes follow its owner's role (security/access-keys.ts): memberships and roles are watched
-- like the other tables running instances cache (20261205130000_change_notifications).
INSERT INTO "_ChangeCount" ("table") VALUES ('Membership'), ('Role');
CREATE TRIGGER "Membership_insert_change" AFTER INSERT ON "Membership" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'Membership'; END;
CREATE TRIGGER "Membership_update_change" AFTER UPDATE ON "Membership" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'Membership'; END;
CREATE TRIGGER "Membership_delete_change" AFTER DELETE ON "Membership" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'Membership'; END;
CREATE TRIGGER "Role_insert_change" AFTER INSERT ON "Role" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'Role'; END;
CREATE TRIGGER "Role_update_change" AFTER UPDATE ON "Role" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'Role'; END;
CREATE TRIGGER "Role_delete_change" AFTER DELETE ON "Role" BEGIN UPDATE "_ChangeCount" SET "count" = "count" + 1 WHERE "table" = 'Role'; END;
