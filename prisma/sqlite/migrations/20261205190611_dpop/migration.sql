-- Written by hand as ADD COLUMN rather than the generated redefinition of "Client": the same schema, the
-- Client change triggers kept (a redefinition drops them), and a script that fails when it is run a second
-- time (store/interrupted-migrations.ts).
-- AlterTable
ALTER TABLE "RefreshFamily" ADD COLUMN "dpopJkt" TEXT;

-- AlterTable
ALTER TABLE "AuthorizationCode" ADD COLUMN "dpopJkt" TEXT;

-- AlterTable
ALTER TABLE "Client" ADD COLUMN "dpopBoundAccessTokens" BOOLEAN NOT NULL DEFAULT false;
