-- Apply reports are group-committed and idempotent: each batch looks up which
-- (worker, version) pairs are already recorded.
CREATE INDEX "worker_applies_worker_id_version_idx" ON "worker_applies"("worker_id", "version");
