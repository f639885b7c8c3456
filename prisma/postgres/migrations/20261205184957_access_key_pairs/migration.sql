-- AlterTable
ALTER TABLE "AccessKey" ADD COLUMN     "publicKey" TEXT,
ADD COLUMN     "publicKeyThumbprint" TEXT,
ALTER COLUMN "secretHash" DROP NOT NULL;
