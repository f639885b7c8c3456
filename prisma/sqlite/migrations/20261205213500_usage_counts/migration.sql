-- CreateTable
CREATE TABLE "UsageCount" (
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "hour" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    PRIMARY KEY ("subjectType", "subjectId", "hour", "kind")
);

-- CreateIndex
CREATE INDEX "UsageCount_hour_idx" ON "UsageCount"("hour");
