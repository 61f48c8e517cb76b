-- Invariants the database enforces whatever the client: the API is not the
-- only thing that can hold a connection (break-glass psql, a future service),
-- so history, immutability and version order cannot depend on its goodwill.
-- Valid on PostgreSQL 15 (server) and 18 (embedded PGlite).

-- ------------------------------------------------------------ append-only history

CREATE FUNCTION ucp_forbid_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'P0001', HINT = 'history is never rewritten; write a new version instead';
END;
$$;

CREATE TRIGGER config_versions_append_only BEFORE UPDATE OR DELETE ON config_versions
  FOR EACH ROW EXECUTE FUNCTION ucp_forbid_mutation();
CREATE TRIGGER config_versions_no_truncate BEFORE TRUNCATE ON config_versions
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_mutation();
CREATE TRIGGER config_changes_append_only BEFORE UPDATE OR DELETE ON config_changes
  FOR EACH ROW EXECUTE FUNCTION ucp_forbid_mutation();
CREATE TRIGGER config_changes_no_truncate BEFORE TRUNCATE ON config_changes
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_mutation();
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION ucp_forbid_mutation();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_mutation();
CREATE TRIGGER variable_catalog_history_append_only BEFORE UPDATE OR DELETE ON variable_catalog_history
  FOR EACH ROW EXECUTE FUNCTION ucp_forbid_mutation();
CREATE TRIGGER variable_catalog_history_no_truncate BEFORE TRUNCATE ON variable_catalog_history
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_forbid_mutation();
CREATE TRIGGER worker_applies_append_only BEFORE UPDATE OR DELETE ON worker_applies
  FOR EACH ROW EXECUTE FUNCTION ucp_forbid_mutation();

-- ------------------------------------------------------------ versions: gap-free, strictly increasing

-- The version number is not the writer's to choose: it must be exactly the
-- environment's active version + 1, taken under the environment row lock, and
-- inserting it moves the active pointer in the same statement.
CREATE FUNCTION ucp_config_version_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
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
  UPDATE environments SET active_version = NEW.version WHERE id = NEW.environment_id;
  RETURN NEW;
END;
$$;

CREATE TRIGGER config_versions_sequence BEFORE INSERT ON config_versions
  FOR EACH ROW EXECUTE FUNCTION ucp_config_version_sequence();

-- Only the sequence trigger above may move an environment's active version.
CREATE FUNCTION ucp_guard_active_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.active_version IS DISTINCT FROM OLD.active_version AND pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'environments.active_version moves only by inserting a config version' USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER environments_guard_active_version BEFORE UPDATE ON environments
  FOR EACH ROW EXECUTE FUNCTION ucp_guard_active_version();

CREATE FUNCTION ucp_forbid_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME USING ERRCODE = 'P0001';
END;
$$;

CREATE TRIGGER environments_no_delete BEFORE DELETE ON environments
  FOR EACH ROW EXECUTE FUNCTION ucp_forbid_delete();

-- Publication is part of the write: NOTIFY is transactional, so a rolled-back
-- write publishes nothing, and every path that writes a version publishes it.
-- The payload stays tiny (8000-byte limit); listeners read the diff themselves.
CREATE FUNCTION ucp_notify_config_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('config_changed', json_build_object(
    'environment', (SELECT name FROM environments WHERE id = NEW.environment_id),
    'version', NEW.version)::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER config_versions_notify AFTER INSERT ON config_versions
  FOR EACH ROW EXECUTE FUNCTION ucp_notify_config_changed();

-- ------------------------------------------------------------ catalog: deprecate, never delete or rename

CREATE FUNCTION ucp_guard_catalog_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'catalog entry % cannot be deleted: deprecate it instead', OLD.name
      USING ERRCODE = 'P0001', HINT = 'parameter sets and history reference catalog entries by name';
  END IF;
  IF NEW.name <> OLD.name THEN
    RAISE EXCEPTION 'catalog entry % cannot be renamed: deprecate it with a replacement instead', OLD.name
      USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER variable_catalog_guard BEFORE UPDATE OR DELETE ON variable_catalog
  FOR EACH ROW EXECUTE FUNCTION ucp_guard_catalog_entry();

CREATE FUNCTION ucp_notify_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('catalog_changed', json_build_object('name', NEW.parameter_name, 'revision', NEW.revision)::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER variable_catalog_history_notify AFTER INSERT ON variable_catalog_history
  FOR EACH ROW EXECUTE FUNCTION ucp_notify_catalog_changed();

-- ------------------------------------------------------------ parameter sets: content-addressed, immutable

-- Re-inserting an existing hash is a no-op, not an error: the same content is
-- the same set. The advisory lock serialises two first inserts of one hash so
-- the second sees the first once it commits.
CREATE FUNCTION ucp_parameter_set_dedupe() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('parameter_set:' || NEW.hash, 0));
  IF EXISTS (SELECT 1 FROM parameter_sets WHERE hash = NEW.hash) THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER parameter_sets_dedupe BEFORE INSERT ON parameter_sets
  FOR EACH ROW EXECUTE FUNCTION ucp_parameter_set_dedupe();

CREATE FUNCTION ucp_parameter_set_entry_dedupe() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM parameter_set_entries
             WHERE parameter_set_hash = NEW.parameter_set_hash AND parameter_name = NEW.parameter_name) THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER parameter_set_entries_dedupe BEFORE INSERT ON parameter_set_entries
  FOR EACH ROW EXECUTE FUNCTION ucp_parameter_set_entry_dedupe();

-- A short grace window lets the creating transaction finish its work; after
-- it the set is frozen forever (reproducibility of every run that used it).
CREATE FUNCTION ucp_parameter_set_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.created_at <> OLD.created_at OR NEW.hash <> OLD.hash) THEN
    RAISE EXCEPTION 'a parameter set''s hash and creation time never change' USING ERRCODE = 'P0001';
  END IF;
  IF OLD.created_at < now() - interval '10 seconds' THEN
    RAISE EXCEPTION 'parameter set % is immutable (frozen 10 seconds after creation)', OLD.hash USING ERRCODE = 'P0001';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER parameter_sets_immutable BEFORE UPDATE OR DELETE ON parameter_sets
  FOR EACH ROW EXECUTE FUNCTION ucp_parameter_set_immutable();

CREATE FUNCTION ucp_parameter_set_entry_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  created timestamptz;
BEGIN
  SELECT created_at INTO created FROM parameter_sets WHERE hash = OLD.parameter_set_hash;
  IF created < now() - interval '10 seconds' THEN
    RAISE EXCEPTION 'parameter set % is immutable (frozen 10 seconds after creation)', OLD.parameter_set_hash
      USING ERRCODE = 'P0001';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER parameter_set_entries_immutable BEFORE UPDATE OR DELETE ON parameter_set_entries
  FOR EACH ROW EXECUTE FUNCTION ucp_parameter_set_entry_immutable();

-- ------------------------------------------------------------ change requests

-- A decided request is history: only a PENDING request may change, and a
-- request is never deleted.
CREATE FUNCTION ucp_change_request_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'change requests are never deleted; withdraw or reject them' USING ERRCODE = 'P0001';
  END IF;
  IF OLD.status <> 'PENDING' THEN
    RAISE EXCEPTION 'change request % is % and can no longer change', OLD.id, OLD.status USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER change_requests_guard BEFORE UPDATE OR DELETE ON change_requests
  FOR EACH ROW EXECUTE FUNCTION ucp_change_request_guard();

CREATE FUNCTION ucp_change_request_item_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  request_status "ChangeRequestStatus";
BEGIN
  SELECT status INTO request_status FROM change_requests
    WHERE id = COALESCE(NEW.change_request_id, OLD.change_request_id);
  IF request_status IS NOT NULL AND request_status <> 'PENDING' THEN
    RAISE EXCEPTION 'the items of a % change request can no longer change', request_status USING ERRCODE = 'P0001';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER change_request_items_guard BEFORE INSERT OR UPDATE OR DELETE ON change_request_items
  FOR EACH ROW EXECUTE FUNCTION ucp_change_request_item_guard();

CREATE FUNCTION ucp_notify_change_request() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('change_request_updated', json_build_object(
    'id', NEW.id, 'status', NEW.status, 'revision', NEW.revision)::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER change_requests_notify AFTER INSERT OR UPDATE ON change_requests
  FOR EACH ROW EXECUTE FUNCTION ucp_notify_change_request();

-- ------------------------------------------------------------ workers

-- Heartbeats alone do not notify (1,000 workers beating every few seconds
-- would flood the channel); what an operator watches does.
CREATE FUNCTION ucp_notify_worker_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT'
     OR NEW.status IS DISTINCT FROM OLD.status
     OR NEW.applied_version IS DISTINCT FROM OLD.applied_version
     OR NEW.received_version IS DISTINCT FROM OLD.received_version
     OR NEW.pending_restart IS DISTINCT FROM OLD.pending_restart THEN
    PERFORM pg_notify('worker_status_changed', json_build_object('id', NEW.id)::text);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER workers_notify AFTER INSERT OR UPDATE ON workers
  FOR EACH ROW EXECUTE FUNCTION ucp_notify_worker_status();

-- ------------------------------------------------------------ sanity checks

ALTER TABLE freeze_windows ADD CONSTRAINT freeze_windows_ends_after_start CHECK (ends_at > starts_at);
ALTER TABLE config_versions ADD CONSTRAINT config_versions_version_positive CHECK (version > 0);
ALTER TABLE parameter_sets ADD CONSTRAINT parameter_sets_hash_hex CHECK (hash ~ '^[0-9a-f]{64}$');
ALTER TABLE config_versions ADD CONSTRAINT config_versions_reason_present CHECK (length(btrim(reason)) > 0);
ALTER TABLE change_requests ADD CONSTRAINT change_requests_reason_present CHECK (length(btrim(reason)) > 0);
