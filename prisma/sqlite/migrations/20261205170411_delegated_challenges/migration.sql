-- CreateTable
CREATE TABLE "Challenge" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "challengeHash" TEXT NOT NULL,
    "browserHash" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "sessionId" TEXT,
    "userId" TEXT,
    "scope" TEXT NOT NULL DEFAULT '',
    "answer" TEXT,
    "answeredAt" DATETIME,
    "verifierHash" TEXT,
    "usedAt" DATETIME,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "Challenge_challengeHash_key" ON "Challenge"("challengeHash");

-- CreateIndex
CREATE UNIQUE INDEX "Challenge_verifierHash_key" ON "Challenge"("verifierHash");

-- CreateIndex
CREATE INDEX "Challenge_expiresAt_idx" ON "Challenge"("expiresAt");
