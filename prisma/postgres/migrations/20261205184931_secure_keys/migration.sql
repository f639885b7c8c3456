-- AlterTable
ALTER TABLE "Client" ADD COLUMN     "jwks" TEXT,
ADD COLUMN     "jwksUri" TEXT,
ADD COLUMN     "tokenEndpointAudience" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "UsedJti" (
    "namespace" TEXT NOT NULL,
    "jti" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UsedJti_pkey" PRIMARY KEY ("namespace","jti")
);

-- CreateIndex
CREATE INDEX "UsedJti_expiresAt_idx" ON "UsedJti"("expiresAt");
