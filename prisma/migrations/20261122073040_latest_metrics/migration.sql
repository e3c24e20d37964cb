-- CreateTable
CREATE TABLE "LatestMetric" (
    "runId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "step" INTEGER NOT NULL,
    "timestamp" TIMESTAMP(3) NOT NULL,
    "metricId" BIGINT NOT NULL,

    CONSTRAINT "LatestMetric_pkey" PRIMARY KEY ("runId","key")
);

-- CreateIndex
CREATE INDEX "LatestMetric_key_value_idx" ON "LatestMetric"("key", "value");

-- AddForeignKey
ALTER TABLE "LatestMetric" ADD CONSTRAINT "LatestMetric_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Keep LatestMetric current on every insert into Metric, whatever the insert path (Prisma's
-- createMany, raw SQL, a bulk load). A value replaces the stored one when it is later in the
-- order search has always used: higher step, then later timestamp, then later id.
-- SET search_path FROM CURRENT: the function finds the table in the schema it was migrated into,
-- whatever the inserting session's search_path.
CREATE FUNCTION "latest_metric_on_insert"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO "LatestMetric" ("runId", "key", "value", "step", "timestamp", "metricId")
  VALUES (NEW."runId", NEW."key", NEW."value", NEW."step", NEW."timestamp", NEW."id")
  ON CONFLICT ("runId", "key") DO UPDATE
    SET "value" = EXCLUDED."value", "step" = EXCLUDED."step", "timestamp" = EXCLUDED."timestamp", "metricId" = EXCLUDED."metricId"
    WHERE ("LatestMetric"."step", "LatestMetric"."timestamp", "LatestMetric"."metricId") < (EXCLUDED."step", EXCLUDED."timestamp", EXCLUDED."metricId");
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Metric_latest" AFTER INSERT ON "Metric" FOR EACH ROW EXECUTE FUNCTION "latest_metric_on_insert"();

-- Metrics logged before this migration.
INSERT INTO "LatestMetric" ("runId", "key", "value", "step", "timestamp", "metricId")
SELECT DISTINCT ON (m."runId", m."key") m."runId", m."key", m."value", m."step", m."timestamp", m."id"
FROM "Metric" m
ORDER BY m."runId", m."key", m."step" DESC, m."timestamp" DESC, m."id" DESC;
