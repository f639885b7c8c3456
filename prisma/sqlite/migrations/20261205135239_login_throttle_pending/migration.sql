-- AlterTable
-- Written by hand as ADD COLUMN rather than the generated table redefinition: the same schema, and a script
-- that fails when it is run a second time, which is how a start after an interrupted migration tells that it
-- was applied (store/interrupted-migrations.ts).
ALTER TABLE "LoginThrottle" ADD COLUMN "pending" INTEGER NOT NULL DEFAULT 0;
