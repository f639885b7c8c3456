-- AlterTable
ALTER TABLE "Client" ADD COLUMN "accessTokenSigningAlg" TEXT;
