-- AlterTable
ALTER TABLE "AccessKey" ADD COLUMN     "parentId" TEXT;

-- CreateIndex
CREATE INDEX "AccessKey_parentId_idx" ON "AccessKey"("parentId");
