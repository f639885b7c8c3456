-- CreateIndex
CREATE INDEX "RefreshFamily_absoluteExpiresAt_idx" ON "RefreshFamily"("absoluteExpiresAt");

-- CreateIndex
CREATE INDEX "RevokedToken_createdAt_idx" ON "RevokedToken"("createdAt");
