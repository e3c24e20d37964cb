-- AlterTable
ALTER TABLE "Blob" ADD COLUMN     "lastPutAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "artifactsPurgedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "ModelEvent_versionId_idx" ON "ModelEvent"("versionId");

-- CreateIndex
CREATE INDEX "ModelVersion_runId_idx" ON "ModelVersion"("runId");

-- CreateIndex
CREATE INDEX "ModelVersion_artifactSha256_idx" ON "ModelVersion"("artifactSha256");

