-- An apply report is recorded once per (worker, version), whichever API
-- replica receives it: the same report reaching two replicas at the same
-- instant (a retry through a load balancer) used to be inserted by both, as
-- each checked for an existing row before either had committed. The unique
-- index lets exactly one insert win (ON CONFLICT DO NOTHING in the writer).
-- Valid on PostgreSQL 15 (server) and 18 (embedded PGlite).

-- Rows recorded twice before this migration are the same fact twice: keep the
-- first. worker_applies is append-only, so its guard is lifted around this
-- one statement (migrations run as the table's owner).
ALTER TABLE "worker_applies" DISABLE TRIGGER "worker_applies_append_only";
DELETE FROM "worker_applies" a
  USING "worker_applies" b
  WHERE a."worker_id" = b."worker_id" AND a."version" = b."version" AND a."id" > b."id";
ALTER TABLE "worker_applies" ENABLE TRIGGER "worker_applies_append_only";

DROP INDEX "worker_applies_worker_id_version_idx";
CREATE UNIQUE INDEX "worker_applies_worker_id_version_key" ON "worker_applies"("worker_id", "version");
