-- Issue 9: bounded values and service tokens confined to their environment.
-- Valid on PostgreSQL 15 (server) and 18 (embedded PGlite).

-- ------------------------------------------------------------ catalog: per-parameter value length

-- The longest value a parameter accepts, in characters. NULL: the server's
-- global ceiling (MAX_VALUE_LENGTH). The upper bound is the hard limit an
-- override can never pass (contract/validation/value-limits.ts).
ALTER TABLE "variable_catalog" ADD COLUMN "max_length" INTEGER;
ALTER TABLE "variable_catalog" ADD CONSTRAINT "variable_catalog_max_length_check"
  CHECK ("max_length" IS NULL OR "max_length" BETWEEN 1 AND 1048576);

-- ------------------------------------------------------------ parameter sets: every environment that froze one

CREATE TABLE "parameter_set_freezes" (
    "parameter_set_hash" CHAR(64) NOT NULL,
    "environment_id" UUID NOT NULL,
    "frozen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "parameter_set_freezes_pkey" PRIMARY KEY ("parameter_set_hash", "environment_id")
);

CREATE INDEX "parameter_set_freezes_environment_id_idx" ON "parameter_set_freezes"("environment_id");

ALTER TABLE "parameter_set_freezes" ADD CONSTRAINT "parameter_set_freezes_parameter_set_hash_fkey"
  FOREIGN KEY ("parameter_set_hash") REFERENCES "parameter_sets"("hash") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "parameter_set_freezes" ADD CONSTRAINT "parameter_set_freezes_environment_id_fkey"
  FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- What a set was frozen from is history, like the set itself.
CREATE TRIGGER parameter_set_freezes_append_only BEFORE UPDATE OR DELETE ON parameter_set_freezes
  FOR EACH ROW EXECUTE FUNCTION ucp_forbid_mutation();
CREATE TRIGGER parameter_set_freezes_no_truncate BEFORE TRUNCATE ON parameter_set_freezes
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_mutation();

-- A history table: the application inserts (ON CONFLICT DO NOTHING) and
-- reads; the default privileges' UPDATE goes (20261202010100_application_role).
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ucp_app') THEN
    REVOKE UPDATE ON parameter_set_freezes FROM ucp_app;
  END IF;
END;
$$;

-- The sets frozen so far were frozen from their own environment.
INSERT INTO "parameter_set_freezes" ("parameter_set_hash", "environment_id", "frozen_at")
SELECT "hash", "environment_id", "created_at" FROM "parameter_sets" WHERE "environment_id" IS NOT NULL;

-- ------------------------------------------------------------ runs: the environment a run runs in

-- runs.environment_id (the run's own environment, with its config version)
-- comes from 20261202020000_run_lineage; token confinement only needs it
-- indexed for an environment's runs newest first.
CREATE INDEX "runs_environment_id_started_at_idx" ON "runs"("environment_id", "started_at");
