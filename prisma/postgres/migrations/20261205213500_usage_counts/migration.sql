-- CreateTable
CREATE TABLE "UsageCount" (
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "UsageCount_pkey" PRIMARY KEY ("subjectType","subjectId","hour","kind")
);

-- CreateIndex
CREATE INDEX "UsageCount_hour_idx" ON "UsageCount"("hour");
