-- CreateIndex
CREATE INDEX "RefreshFamily_revokedAt_idx" ON "RefreshFamily"("revokedAt");

-- CreateIndex
CREATE INDEX "AccessKey_expiresAt_idx" ON "AccessKey"("expiresAt");

-- CreateIndex
CREATE INDEX "AccessKey_revokedAt_idx" ON "AccessKey"("revokedAt");

-- CreateIndex
CREATE INDEX "LoginThrottle_windowStart_idx" ON "LoginThrottle"("windowStart");
