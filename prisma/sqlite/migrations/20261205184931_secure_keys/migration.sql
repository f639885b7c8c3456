-- Written by hand as ADD COLUMN rather than the generated redefinition of "Client": the same schema, the
-- Client change triggers kept (a redefinition drops them), and a script that fails when it is run a second
-- time (store/interrupted-migrations.ts).
-- AlterTable
ALTER TABLE "Client" ADD COLUMN "jwks" TEXT;
ALTER TABLE "Client" ADD COLUMN "jwksUri" TEXT;
ALTER TABLE "Client" ADD COLUMN "tokenEndpointAudience" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "UsedJti" (
    "namespace" TEXT NOT NULL,
    "jti" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,

    PRIMARY KEY ("namespace", "jti")
);

-- CreateIndex
CREATE INDEX "UsedJti_expiresAt_idx" ON "UsedJti"("expiresAt");
