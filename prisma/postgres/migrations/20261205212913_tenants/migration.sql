-- DropIndex
DROP INDEX "User_username_key";

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';

-- AlterTable
ALTER TABLE "Client" ADD COLUMN     "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';

-- AlterTable
ALTER TABLE "RefreshFamily" ADD COLUMN     "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';

-- AlterTable
ALTER TABLE "AccessKey" ADD COLUMN     "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000',
ADD COLUMN     "workspaceId" TEXT;

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';

-- AlterTable
ALTER TABLE "AuthorizationCode" ADD COLUMN     "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';

-- AlterTable
ALTER TABLE "Consent" ADD COLUMN     "tenantId" TEXT NOT NULL DEFAULT '00000000-0000-7000-8000-000000000000';

-- CreateTable
CREATE TABLE "Tenant" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Workspace" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Workspace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Role" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "scopes" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Role_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "roleId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
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

-- CreateIndex
CREATE UNIQUE INDEX "User_tenantId_username_key" ON "User"("tenantId", "username");

-- CreateIndex
CREATE INDEX "Client_tenantId_idx" ON "Client"("tenantId");

-- CreateIndex
CREATE INDEX "RefreshFamily_tenantId_idx" ON "RefreshFamily"("tenantId");

-- CreateIndex
CREATE INDEX "AccessKey_tenantId_idx" ON "AccessKey"("tenantId");

-- CreateIndex
CREATE INDEX "AccessKey_workspaceId_idx" ON "AccessKey"("workspaceId");

-- CreateIndex
CREATE INDEX "AuditEvent_tenantId_createdAt_idx" ON "AuditEvent"("tenantId", "createdAt");

-- AddForeignKey
ALTER TABLE "Workspace" ADD CONSTRAINT "Workspace_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Role" ADD CONSTRAINT "Role_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- Every existing row joined the `default` tenant through the columns' default.
INSERT INTO "Tenant" ("id", "slug", "name", "createdAt") VALUES ('00000000-0000-7000-8000-000000000000', 'default', 'Default', CURRENT_TIMESTAMP);

-- An access key's scopes follow its owner's role (security/access-keys.ts): memberships and roles are watched
-- like the other tables running instances cache (20261205130000_change_notifications).
CREATE TRIGGER "Membership_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON "Membership" FOR EACH STATEMENT EXECUTE FUNCTION "portcullis_notify_change"();
CREATE TRIGGER "Role_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON "Role" FOR EACH STATEMENT EXECUTE FUNCTION "portcullis_notify_change"();
