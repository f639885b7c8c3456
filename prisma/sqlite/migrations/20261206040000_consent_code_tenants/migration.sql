-- Consents and authorization codes were written without their tenant, so in the default one, until the store took
-- a tenant scope (store/tenant-scope.ts): each takes its user's, which is the tenant its reads are now scoped by.
UPDATE "Consent" SET "tenantId" = (SELECT "tenantId" FROM "User" WHERE "User"."id" = "Consent"."userId")
WHERE EXISTS (SELECT 1 FROM "User" WHERE "User"."id" = "Consent"."userId" AND "User"."tenantId" <> "Consent"."tenantId");
UPDATE "AuthorizationCode" SET "tenantId" = (SELECT "tenantId" FROM "User" WHERE "User"."id" = "AuthorizationCode"."userId")
WHERE EXISTS (SELECT 1 FROM "User" WHERE "User"."id" = "AuthorizationCode"."userId" AND "User"."tenantId" <> "AuthorizationCode"."tenantId");
