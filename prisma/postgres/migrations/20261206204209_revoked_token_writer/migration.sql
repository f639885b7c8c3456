-- Which instance's revocation list recorded a revocation: that list holds it already and skips it when it reads
-- the rows recorded since its last read (security/revocation-list.ts). Null for cutoffs and for earlier rows.
-- AlterTable
ALTER TABLE "RevokedToken" ADD COLUMN     "writer" TEXT;
