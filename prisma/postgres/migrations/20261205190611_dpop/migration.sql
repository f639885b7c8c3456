-- AlterTable
ALTER TABLE "Client" ADD COLUMN     "dpopBoundAccessTokens" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "RefreshFamily" ADD COLUMN     "dpopJkt" TEXT;

-- AlterTable
ALTER TABLE "AuthorizationCode" ADD COLUMN     "dpopJkt" TEXT;
