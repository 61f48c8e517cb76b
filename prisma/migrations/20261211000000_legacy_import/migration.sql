-- Issue 12, the cut-over: the legacy ftf_config, its history and the
-- finetune_runs come across with their audit semantics (npm run
-- import:legacy, server/features/legacy-import). Hand-written; valid on
-- PostgreSQL 15 and 18 (PGlite). Every earlier invariant holds for imported
-- rows unchanged (gap-free versions, append-only history, legacy runs arrive
-- ended); this adds what marks them imported and keeps that mark honest.

-- ------------------------------------------------------------ imported versions

-- A version written by the import: the legacy row's author, reason and time.
-- Not used below in this migration (a new enum value cannot be used in the
-- transaction that adds it): the guards compare kind::text.
ALTER TYPE "VersionKind" ADD VALUE IF NOT EXISTS 'IMPORT';

-- ------------------------------------------------------------ legacy authors

-- A legacy author becomes an actor that can be named (versions, runs, audit)
-- but never sign in: no password (an empty hash verifies nothing), disabled,
-- and the mark never comes off, so nobody can later hand it a password.
ALTER TABLE "users" ADD COLUMN "legacy_actor" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "users" ADD CONSTRAINT "users_legacy_actor_cannot_sign_in"
  CHECK (NOT "legacy_actor" OR ("disabled" AND "password_hash" = ''));

CREATE FUNCTION ucp_users_legacy_actor_fixed() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.legacy_actor IS DISTINCT FROM OLD.legacy_actor THEN
    RAISE EXCEPTION 'user % is % legacy actor: that never changes', OLD.username,
      CASE WHEN OLD.legacy_actor THEN 'a' ELSE 'not a' END USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER users_legacy_actor_fixed BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION ucp_users_legacy_actor_fixed();

-- ------------------------------------------------------------ what was imported, once

-- One row per legacy row imported into an environment: the idempotence key
-- (a second import skips what is here) and the link from each legacy id to
-- the version or run it became. Append-only history.
CREATE TABLE "legacy_imports" (
    "id" BIGSERIAL NOT NULL,
    "environment_id" UUID NOT NULL,
    "source_table" TEXT NOT NULL,
    "legacy_id" TEXT NOT NULL,
    "config_version" INTEGER,
    "run_id" UUID,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "imported_by" TEXT NOT NULL,

    CONSTRAINT "legacy_imports_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "legacy_imports_source_table" CHECK ("source_table" IN ('ftf_config', 'ftf_config_history', 'finetune_runs')),
    CONSTRAINT "legacy_imports_legacy_id_present" CHECK (length(btrim("legacy_id")) > 0),
    CONSTRAINT "legacy_imports_imported_by_present" CHECK (length(btrim("imported_by")) > 0),
    -- Configuration rows become versions, runs become runs.
    CONSTRAINT "legacy_imports_target" CHECK (
      ("source_table" = 'finetune_runs' AND "run_id" IS NOT NULL AND "config_version" IS NULL)
      OR ("source_table" <> 'finetune_runs' AND "config_version" IS NOT NULL AND "run_id" IS NULL))
);

CREATE UNIQUE INDEX "legacy_imports_environment_id_source_table_legacy_id_key" ON "legacy_imports"("environment_id", "source_table", "legacy_id");
CREATE INDEX "legacy_imports_environment_id_config_version_idx" ON "legacy_imports"("environment_id", "config_version");
CREATE UNIQUE INDEX "legacy_imports_run_id_key" ON "legacy_imports"("run_id");

ALTER TABLE "legacy_imports" ADD CONSTRAINT "legacy_imports_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "legacy_imports" ADD CONSTRAINT "legacy_imports_environment_id_config_version_fkey" FOREIGN KEY ("environment_id", "config_version") REFERENCES "config_versions"("environment_id", "version") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "legacy_imports" ADD CONSTRAINT "legacy_imports_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TRIGGER legacy_imports_append_only BEFORE UPDATE OR DELETE ON legacy_imports
  FOR EACH ROW EXECUTE FUNCTION ucp_forbid_mutation();
CREATE TRIGGER legacy_imports_no_truncate BEFORE TRUNCATE ON legacy_imports
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_mutation();

-- An IMPORT version is one the import recorded: by the end of its
-- transaction it has a legacy_imports row. The application role may not
-- insert there, so it cannot pass a version of its own off as imported
-- history; and the import must write the record with the version, or
-- neither commits. Deferred: the record follows the version's insert.
CREATE FUNCTION ucp_config_version_import_recorded() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.kind::text = 'IMPORT' AND NOT EXISTS (
       SELECT 1 FROM legacy_imports WHERE environment_id = NEW.environment_id AND config_version = NEW.version) THEN
    RAISE EXCEPTION 'config version % of environment % is marked IMPORT but no legacy row was imported as it',
      NEW.version, NEW.environment_id USING ERRCODE = 'P0001';
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER config_versions_import_recorded AFTER INSERT ON config_versions
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ucp_config_version_import_recorded();

-- The import runs as the owner (MIGRATION_DATABASE_URL); the server only
-- reads what was imported (the default privileges granted INSERT and UPDATE).
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ucp_app') THEN
    REVOKE INSERT, UPDATE ON legacy_imports FROM ucp_app;
    GRANT SELECT ON legacy_imports TO ucp_app;
    GRANT EXECUTE ON FUNCTION ucp_users_legacy_actor_fixed(), ucp_config_version_import_recorded() TO ucp_app;
  END IF;
END;
$$;
