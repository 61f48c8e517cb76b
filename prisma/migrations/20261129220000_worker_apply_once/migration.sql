-- A worker applies each version once: a report re-sent after a lost answer
-- (or recorded by two server processes) is kept once.
CREATE UNIQUE INDEX "worker_applies_worker_id_version_key" ON "worker_applies"("worker_id", "version");
