-- CreateTable
CREATE TABLE "Challenge" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "challengeHash" TEXT NOT NULL,
    "browserHash" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "sessionId" TEXT,
    "userId" TEXT,
    "scope" TEXT NOT NULL DEFAULT '',
    "answer" TEXT,
    "answeredAt" TIMESTAMP(3),
    "verifierHash" TEXT,
    "usedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Challenge_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Challenge_challengeHash_key" ON "Challenge"("challengeHash");

-- CreateIndex
CREATE UNIQUE INDEX "Challenge_verifierHash_key" ON "Challenge"("verifierHash");

-- CreateIndex
CREATE INDEX "Challenge_expiresAt_idx" ON "Challenge"("expiresAt");
