-- Holes in the invariants of 20261124190100_invariants, each found with raw
-- SQL as the application's own database user (issue 9). Every guard here
-- holds for every role, the owner included; what only role separation can
-- stop (switching the guards off) is 20261202010100_application_role.
-- Valid on PostgreSQL 15 (server) and 18 (embedded PGlite).

-- ------------------------------------------------------------ the active pointer moves only with a row

-- A BEFORE INSERT trigger runs before ON CONFLICT is resolved: moving the
-- pointer there let `INSERT ... ON CONFLICT DO NOTHING` insert nothing and
-- still move it (the environment then pointed at a version that does not
-- exist). The BEFORE trigger now only checks and locks; the pointer moves in
-- an AFTER INSERT row trigger, which fires only for a row actually inserted.
-- AFTER row triggers fire at the end of the statement, so one statement
-- inserts at most one version per environment (the writer inserts one).
CREATE OR REPLACE FUNCTION ucp_config_version_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  current_version integer;
BEGIN
  SELECT active_version INTO current_version FROM environments WHERE id = NEW.environment_id FOR UPDATE;
  IF current_version IS NULL THEN
    RAISE EXCEPTION 'environment % does not exist', NEW.environment_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NEW.version <> current_version + 1 THEN
    RAISE EXCEPTION 'config version % of environment % is out of sequence: the next version is %',
      NEW.version, NEW.environment_id, current_version + 1 USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END;
$$;

CREATE FUNCTION ucp_config_version_advance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE environments SET active_version = NEW.version
    WHERE id = NEW.environment_id AND active_version = NEW.version - 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'config version % of environment % is out of sequence: one version per environment per statement',
      NEW.version, NEW.environment_id USING ERRCODE = 'P0001';
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER config_versions_advance_active AFTER INSERT ON config_versions
  FOR EACH ROW EXECUTE FUNCTION ucp_config_version_advance();

-- The guard asked "am I inside a trigger?" (pg_trigger_depth() >= 2), which
-- any role that can create a trigger on its own temporary table can answer
-- yes. It now checks the invariant itself: the active version is the
-- environment's latest config version, and can be set to nothing else.
CREATE OR REPLACE FUNCTION ucp_guard_active_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.active_version IS DISTINCT FROM OLD.active_version
     AND NEW.active_version IS DISTINCT FROM
       (SELECT COALESCE(max(version), 0) FROM config_versions WHERE environment_id = NEW.id) THEN
    RAISE EXCEPTION 'environments.active_version moves only by inserting a config version' USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END;
$$;

-- An environment whose pointer the old trigger moved past its last row shows
-- no values and refuses every save: point it back at its latest version.
UPDATE environments e SET active_version = latest.version
FROM (SELECT e2.id, COALESCE(max(v.version), 0) AS version
      FROM environments e2 LEFT JOIN config_versions v ON v.environment_id = e2.id GROUP BY e2.id) AS latest
WHERE latest.id = e.id AND e.active_version <> latest.version;

-- ------------------------------------------------------------ TRUNCATE is not a way around the row triggers

-- Row triggers do not fire for TRUNCATE, and TRUNCATE ... CASCADE empties
-- every referencing table too. BEFORE TRUNCATE fires for each table a
-- TRUNCATE empties, cascaded ones included, so each table whose rows are
-- history, or never deleted, refuses it. Sessions alone may be emptied
-- (it signs everyone out, nothing more).
CREATE FUNCTION ucp_forbid_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% cannot be truncated: its rows are history or referenced by history', TG_TABLE_NAME
    USING ERRCODE = 'P0001';
END;
$$;

CREATE TRIGGER worker_applies_no_truncate BEFORE TRUNCATE ON worker_applies
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_mutation();
CREATE TRIGGER parameter_sets_no_truncate BEFORE TRUNCATE ON parameter_sets
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_truncate();
CREATE TRIGGER parameter_set_entries_no_truncate BEFORE TRUNCATE ON parameter_set_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_truncate();
CREATE TRIGGER runs_no_truncate BEFORE TRUNCATE ON runs
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_truncate();
CREATE TRIGGER environments_no_truncate BEFORE TRUNCATE ON environments
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_truncate();
CREATE TRIGGER variable_catalog_no_truncate BEFORE TRUNCATE ON variable_catalog
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_truncate();
CREATE TRIGGER cross_parameter_rules_no_truncate BEFORE TRUNCATE ON cross_parameter_rules
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_truncate();
CREATE TRIGGER change_requests_no_truncate BEFORE TRUNCATE ON change_requests
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_truncate();
CREATE TRIGGER change_request_items_no_truncate BEFORE TRUNCATE ON change_request_items
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_truncate();
CREATE TRIGGER freeze_windows_no_truncate BEFORE TRUNCATE ON freeze_windows
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_truncate();
CREATE TRIGGER workers_no_truncate BEFORE TRUNCATE ON workers
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_truncate();
CREATE TRIGGER service_tokens_no_truncate BEFORE TRUNCATE ON service_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_truncate();
CREATE TRIGGER users_no_truncate BEFORE TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_truncate();

-- ------------------------------------------------------------ parameter sets: frozen by the clock, not by the caller

-- The creation time is the server's clock at the insert, not the caller's
-- word: a set dated 2099 stayed editable forever. A time at or after the
-- start of the inserting transaction (the column default included) becomes
-- clock_timestamp(), so the creating transaction always has its full window;
-- a caller may only date a set earlier than that, which freezes it sooner,
-- never later. It never changes afterwards (ucp_parameter_set_immutable).
CREATE FUNCTION ucp_parameter_set_created_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.created_at IS NULL OR NEW.created_at >= now() - interval '1 millisecond' THEN
    NEW.created_at := clock_timestamp();
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER parameter_sets_created_at BEFORE INSERT ON parameter_sets
  FOR EACH ROW EXECUTE FUNCTION ucp_parameter_set_created_at();

-- now() is the start of the current transaction: a transaction opened before
-- a set was created could still change it long after its 10 seconds.
-- clock_timestamp() is the time of the statement, whatever the transaction.
CREATE OR REPLACE FUNCTION ucp_parameter_set_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.created_at <> OLD.created_at OR NEW.hash <> OLD.hash) THEN
    RAISE EXCEPTION 'a parameter set''s hash and creation time never change' USING ERRCODE = 'P0001';
  END IF;
  IF OLD.created_at < clock_timestamp() - interval '10 seconds' THEN
    RAISE EXCEPTION 'parameter set % is immutable (frozen 10 seconds after creation)', OLD.hash USING ERRCODE = 'P0001';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$;

CREATE FUNCTION ucp_assert_parameter_set_open(set_hash bpchar) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  created timestamptz;
BEGIN
  SELECT created_at INTO created FROM parameter_sets WHERE hash = set_hash;
  IF created < clock_timestamp() - interval '10 seconds' THEN
    RAISE EXCEPTION 'parameter set % is immutable (frozen 10 seconds after creation)', set_hash USING ERRCODE = 'P0001';
  END IF;
END;
$$;

-- An entry may not be added to a frozen set, nor moved into or out of one.
-- The insert check is its own trigger, named to fire after
-- parameter_set_entries_dedupe (triggers fire in name order): re-freezing a
-- complete set inserts only duplicates, which the dedupe drops first.
CREATE OR REPLACE FUNCTION ucp_parameter_set_entry_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM ucp_assert_parameter_set_open(OLD.parameter_set_hash);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM ucp_assert_parameter_set_open(NEW.parameter_set_hash);
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER parameter_set_entries_frozen BEFORE INSERT ON parameter_set_entries
  FOR EACH ROW EXECUTE FUNCTION ucp_parameter_set_entry_immutable();

-- ------------------------------------------------------------ runs: bound for good, outcomes final

-- What the API already refuses (run-service.ts), the database refuses too: a
-- run never changes the parameter set it ran under, its kind or its start; it
-- moves PENDING -> RUNNING -> SUCCEEDED | FAILED | CANCELLED (or straight to
-- an end) and never back; an ended run is history and never changes; only an
-- ended run has an end time, never before its start; runs are never deleted.
-- (created_by_id may still change: its foreign key is ON DELETE SET NULL.)
CREATE FUNCTION ucp_run_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  terminal constant "RunStatus"[] := ARRAY['SUCCEEDED', 'FAILED', 'CANCELLED']::"RunStatus"[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'runs are never deleted: run % is the record of what parameter set % was used for', OLD.id, OLD.parameter_set_hash
      USING ERRCODE = 'P0001';
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.parameter_set_hash IS DISTINCT FROM OLD.parameter_set_hash THEN
      RAISE EXCEPTION 'run % ran under parameter set %: that never changes', OLD.id, OLD.parameter_set_hash USING ERRCODE = 'P0001';
    END IF;
    IF NEW.id <> OLD.id OR NEW.kind <> OLD.kind OR NEW.started_at IS DISTINCT FROM OLD.started_at THEN
      RAISE EXCEPTION 'a run''s id, kind and start time never change' USING ERRCODE = 'P0001';
    END IF;
    IF OLD.status = ANY (terminal)
       AND (NEW.status, NEW.ended_at, NEW.name, NEW.metadata) IS DISTINCT FROM (OLD.status, OLD.ended_at, OLD.name, OLD.metadata) THEN
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

CREATE TRIGGER runs_guard BEFORE INSERT OR UPDATE OR DELETE ON runs
  FOR EACH ROW EXECUTE FUNCTION ucp_run_guard();

-- ------------------------------------------------------------ the guards resolve names in this schema only

-- Trigger functions run with the caller's search_path, and an unqualified
-- table name resolves to a temporary table first: a session could shadow
-- `environments` or `parameter_sets` with its own temporary table and feed
-- the guards whatever it liked. Every ucp_ function now resolves names in
-- public (pg_temp last).
DO $$
DECLARE
  fn regprocedure;
BEGIN
  FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.proname LIKE 'ucp\_%' LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = public, pg_temp', fn);
  END LOOP;
END;
$$;
