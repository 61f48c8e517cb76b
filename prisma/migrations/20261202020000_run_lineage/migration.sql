-- Issue 10: every run is pinned to its own environment version (a set is
-- deduplicated by content, so the set's first environment is not the run's),
-- records who or what started it and how it ended, moves forward only and
-- never changes once finished; paper and live sessions record the versions
-- they applied (epochs); parameter sets keep the rules and validators they
-- were checked against. Hand-written; valid on PostgreSQL 15 and 18 (PGlite).
-- Builds on 20261202010000_invariant_holes (its run guard is extended here,
-- keeping every refusal it makes) and 20261202010100_application_role (new
-- tables get the application's privileges by default; history revokes UPDATE).

-- ------------------------------------------------------------ parameter sets

ALTER TABLE "parameter_sets" ADD COLUMN "rules" JSONB,
ADD COLUMN "validators" JSONB;

-- The version a set was first frozen from. NOT VALID: sets are immutable, so
-- a hand-made row from before cannot be repaired; every new row is checked.
ALTER TABLE "parameter_sets" ADD CONSTRAINT "parameter_sets_environment_id_config_version_fkey"
  FOREIGN KEY ("environment_id", "config_version") REFERENCES "config_versions"("environment_id", "version")
  ON DELETE RESTRICT ON UPDATE CASCADE NOT VALID;

-- ------------------------------------------------------------ runs: columns and backfill

ALTER TABLE "runs" ADD COLUMN "config_version" INTEGER,
ADD COLUMN "environment_id" UUID,
ADD COLUMN "legacy" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "outcome_message" TEXT,
ADD COLUMN "output_digest" TEXT,
ADD COLUMN "rerun_of_id" UUID,
ADD COLUMN "started_by" TEXT,
ADD COLUMN "started_by_token_id" UUID;

-- Existing runs take the environment version their set was frozen from: the
-- best knowledge there is. A run whose set names no existing version cannot
-- be pinned: it is flagged legacy (comparability FORBIDDEN), like the runs
-- the cut-over will import.
UPDATE "runs" r SET "environment_id" = s."environment_id", "config_version" = s."config_version"
  FROM "parameter_sets" s
  WHERE s."hash" = r."parameter_set_hash"
    AND EXISTS (SELECT 1 FROM "config_versions" v WHERE v."environment_id" = s."environment_id" AND v."version" = s."config_version");
UPDATE "runs" SET "legacy" = true WHERE "environment_id" IS NULL OR "config_version" IS NULL;
UPDATE "runs" r SET "started_by" = COALESCE(
  (SELECT u."username" FROM "users" u WHERE u."id" = r."created_by_id"),
  (SELECT a."actor" FROM "audit_events" a WHERE a."action" = 'run_registered' AND a."subject_id" = r."id"::text ORDER BY a."id" LIMIT 1),
  'unknown');
ALTER TABLE "runs" ALTER COLUMN "started_by" SET NOT NULL;

CREATE INDEX "runs_environment_id_config_version_idx" ON "runs"("environment_id", "config_version");
CREATE INDEX "runs_started_at_idx" ON "runs"("started_at");
CREATE INDEX "runs_ended_at_idx" ON "runs"("ended_at");
CREATE INDEX "runs_started_by_idx" ON "runs"("started_by");

ALTER TABLE "runs" ADD CONSTRAINT "runs_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "runs" ADD CONSTRAINT "runs_environment_id_config_version_fkey" FOREIGN KEY ("environment_id", "config_version") REFERENCES "config_versions"("environment_id", "version") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "runs" ADD CONSTRAINT "runs_started_by_token_id_fkey" FOREIGN KEY ("started_by_token_id") REFERENCES "service_tokens"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "runs" ADD CONSTRAINT "runs_rerun_of_id_fkey" FOREIGN KEY ("rerun_of_id") REFERENCES "runs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ------------------------------------------------------------ runs: invariants

-- KPI 2 and ADR-59's run snapshot: a run that is not legacy names its
-- environment and version (the set's foreign key is NOT NULL since init).
ALTER TABLE "runs" ADD CONSTRAINT "runs_pinned_unless_legacy"
  CHECK ("legacy" OR ("environment_id" IS NOT NULL AND "config_version" IS NOT NULL));
ALTER TABLE "runs" ADD CONSTRAINT "runs_started_by_present" CHECK (length(btrim("started_by")) > 0);
-- The outcome is written with the terminal status, never before.
ALTER TABLE "runs" ADD CONSTRAINT "runs_outcome_when_finished"
  CHECK ("status" IN ('SUCCEEDED', 'FAILED', 'CANCELLED') OR ("outcome_message" IS NULL AND "output_digest" IS NULL));
ALTER TABLE "runs" ADD CONSTRAINT "runs_output_digest_format"
  CHECK ("output_digest" IS NULL OR "output_digest" ~ '^[a-z0-9-]{1,20}:[0-9a-f]{32,128}$');

-- The run guard of 20261202010000_invariant_holes, with every refusal it
-- makes (a run's set, id, kind and start never change; PENDING → RUNNING →
-- an end and never back; an ended run never changes; only an ended run has
-- an end time, never before its start; runs are never deleted), extended:
-- - what a run is pinned to never changes either: its environment, version,
--   legacy flag, who started it, the run it re-runs;
-- - an ended run's outcome (message, output digest) is final with the rest;
-- - a new run starts PENDING or RUNNING, and its set must hold exactly the
--   values of the version it names;
-- - a legacy run is imported history: it arrives ended.
-- created_by_id may still change: its foreign key is ON DELETE SET NULL.
CREATE OR REPLACE FUNCTION ucp_run_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  terminal constant "RunStatus"[] := ARRAY['SUCCEEDED', 'FAILED', 'CANCELLED']::"RunStatus"[];
  set_values jsonb;
  version_values jsonb;
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'runs are never deleted: run % is the record of what parameter set % was used for', OLD.id, OLD.parameter_set_hash
      USING ERRCODE = 'P0001';
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.legacy THEN
      IF NOT NEW.status = ANY (terminal) THEN
        RAISE EXCEPTION 'a legacy run is imported history and must arrive ended, not %', NEW.status USING ERRCODE = 'P0001';
      END IF;
    ELSE
      IF NEW.status = ANY (terminal) THEN
        RAISE EXCEPTION 'a new run starts PENDING or RUNNING, not %', NEW.status USING ERRCODE = 'P0001';
      END IF;
      SELECT "values" INTO set_values FROM parameter_sets WHERE hash = NEW.parameter_set_hash;
      SELECT "values" INTO version_values FROM config_versions
        WHERE environment_id = NEW.environment_id AND version = NEW.config_version;
      -- A missing set or version is the foreign keys' to report.
      IF set_values IS NOT NULL AND version_values IS NOT NULL AND set_values <> version_values THEN
        RAISE EXCEPTION 'parameter set % does not hold the values of version % of environment %',
          NEW.parameter_set_hash, NEW.config_version, NEW.environment_id USING ERRCODE = 'P0001';
      END IF;
    END IF;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.parameter_set_hash IS DISTINCT FROM OLD.parameter_set_hash THEN
      RAISE EXCEPTION 'run % ran under parameter set %: that never changes', OLD.id, OLD.parameter_set_hash USING ERRCODE = 'P0001';
    END IF;
    IF NEW.id <> OLD.id OR NEW.kind <> OLD.kind OR NEW.started_at IS DISTINCT FROM OLD.started_at THEN
      RAISE EXCEPTION 'a run''s id, kind and start time never change' USING ERRCODE = 'P0001';
    END IF;
    IF (NEW.environment_id, NEW.config_version, NEW.legacy, NEW.started_by, NEW.started_by_token_id, NEW.rerun_of_id)
       IS DISTINCT FROM (OLD.environment_id, OLD.config_version, OLD.legacy, OLD.started_by, OLD.started_by_token_id, OLD.rerun_of_id) THEN
      RAISE EXCEPTION 'run % is pinned: its environment, version, legacy flag and who started it never change', OLD.id
        USING ERRCODE = 'P0001';
    END IF;
    IF OLD.status = ANY (terminal)
       AND (NEW.status, NEW.ended_at, NEW.name, NEW.metadata, NEW.outcome_message, NEW.output_digest)
           IS DISTINCT FROM (OLD.status, OLD.ended_at, OLD.name, OLD.metadata, OLD.outcome_message, OLD.output_digest) THEN
      RAISE EXCEPTION 'run % already ended as %; it can no longer change', OLD.id, OLD.status USING ERRCODE = 'P0001';
    END IF;
    IF OLD.status = 'RUNNING' AND NEW.status = 'PENDING' THEN
      RAISE EXCEPTION 'run % is already running; it cannot go back to PENDING', OLD.id USING ERRCODE = 'P0001';
    END IF;
  END IF;
  IF NEW.status = ANY (terminal) AND NEW.ended_at IS NULL THEN
    RAISE EXCEPTION 'a % run needs an end time', NEW.status USING ERRCODE = 'P0001';
  END IF;
  IF NOT NEW.status = ANY (terminal) AND NEW.ended_at IS NOT NULL THEN
    RAISE EXCEPTION 'a % run has not ended: it has no end time', NEW.status USING ERRCODE = 'P0001';
  END IF;
  IF NEW.ended_at < NEW.started_at THEN
    RAISE EXCEPTION 'run % cannot end before it started', NEW.id USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END;
$$;
-- The trigger runs_guard (BEFORE INSERT OR UPDATE OR DELETE) and
-- runs_no_truncate come from 20261202010000_invariant_holes.

-- ------------------------------------------------------------ session epochs

CREATE TABLE "run_epochs" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "config_version" INTEGER NOT NULL,
    "parameter_set_hash" CHAR(64) NOT NULL,
    "worker_id" UUID,
    "applied_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "recorded_by" TEXT NOT NULL,

    CONSTRAINT "run_epochs_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "run_epochs_run_id_applied_at_idx" ON "run_epochs"("run_id", "applied_at");

ALTER TABLE "run_epochs" ADD CONSTRAINT "run_epochs_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "run_epochs" ADD CONSTRAINT "run_epochs_environment_id_config_version_fkey" FOREIGN KEY ("environment_id", "config_version") REFERENCES "config_versions"("environment_id", "version") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "run_epochs" ADD CONSTRAINT "run_epochs_parameter_set_hash_fkey" FOREIGN KEY ("parameter_set_hash") REFERENCES "parameter_sets"("hash") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "run_epochs" ADD CONSTRAINT "run_epochs_worker_id_fkey" FOREIGN KEY ("worker_id") REFERENCES "workers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- An epoch belongs to a paper or live session that has not finished, is a
-- version of the session's own environment with the set frozen from it, and
-- comes in order. The run row lock serialises two epochs of one session.
CREATE FUNCTION ucp_run_epoch_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  run_row runs%ROWTYPE;
  last_applied timestamptz;
  set_values jsonb;
  version_values jsonb;
BEGIN
  SELECT * INTO run_row FROM runs WHERE id = NEW.run_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NEW; -- the foreign key reports it
  END IF;
  IF run_row.kind NOT IN ('PAPER', 'LIVE') THEN
    RAISE EXCEPTION 'only paper and live sessions have epochs; run % is a %', run_row.id, run_row.kind USING ERRCODE = 'P0001';
  END IF;
  IF run_row.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN
    RAISE EXCEPTION 'run % already ended as %; it can no longer change (no new epoch)', run_row.id, run_row.status USING ERRCODE = 'P0001';
  END IF;
  IF run_row.environment_id IS DISTINCT FROM NEW.environment_id THEN
    RAISE EXCEPTION 'an epoch of run % must be a version of the run''s own environment', run_row.id USING ERRCODE = 'P0001';
  END IF;
  IF NEW.applied_at < run_row.started_at THEN
    RAISE EXCEPTION 'an epoch of run % cannot be applied before the run started', run_row.id USING ERRCODE = 'P0001';
  END IF;
  SELECT max(applied_at) INTO last_applied FROM run_epochs WHERE run_id = NEW.run_id;
  IF last_applied IS NOT NULL AND NEW.applied_at < last_applied THEN
    RAISE EXCEPTION 'epochs of run % are recorded in order: % is before the last one (%)', run_row.id, NEW.applied_at, last_applied
      USING ERRCODE = 'P0001';
  END IF;
  SELECT "values" INTO set_values FROM parameter_sets WHERE hash = NEW.parameter_set_hash;
  SELECT "values" INTO version_values FROM config_versions
    WHERE environment_id = NEW.environment_id AND version = NEW.config_version;
  IF set_values IS NOT NULL AND version_values IS NOT NULL AND set_values <> version_values THEN
    RAISE EXCEPTION 'parameter set % does not hold the values of version % of the session''s environment',
      NEW.parameter_set_hash, NEW.config_version USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER run_epochs_guard BEFORE INSERT ON run_epochs
  FOR EACH ROW EXECUTE FUNCTION ucp_run_epoch_guard();
CREATE TRIGGER run_epochs_append_only BEFORE UPDATE OR DELETE ON run_epochs
  FOR EACH ROW EXECUTE FUNCTION ucp_forbid_mutation();
CREATE TRIGGER run_epochs_no_truncate BEFORE TRUNCATE ON run_epochs
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_mutation();

-- History: the application appends epochs and never rewrites one (the
-- default privileges of 20261202010100 granted UPDATE too).
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ucp_app') THEN
    REVOKE UPDATE ON run_epochs FROM ucp_app;
  END IF;
END;
$$;

-- ------------------------------------------------------------ audit trail lookups

CREATE INDEX "audit_events_action_at_idx" ON "audit_events"("action", "at");
CREATE INDEX "audit_events_actor_at_idx" ON "audit_events"("actor", "at");
CREATE INDEX "audit_events_subject_id_idx" ON "audit_events"("subject_id");
