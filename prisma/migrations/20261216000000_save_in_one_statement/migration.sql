-- Issue 15: a save in one statement. The server validates a save against the
-- active snapshot, the catalog and the enabled rules it holds in memory, then
-- sends the whole durable part as one call of ucp_save_config_version: under
-- the environment row lock it checks that nothing it validated against has
-- moved (the active version, the catalog revision, the enabled rules), that
-- no freeze window is open, and writes the version, its changes and its audit
-- rows. Every trigger of those tables still runs (the sequence, the active
-- pointer, NOTIFY). Refusals are answers, not exceptions: a refused call
-- writes nothing, and the caller maps the answer to its error.
-- The call carries the changes, not the ~25 KB of values: the new version's
-- values are the expected version's, read here under the lock, with the
-- changes laid over them (what the server validated), so they cannot drift
-- from the row they build on whatever the server holds in memory.
-- Valid on PostgreSQL 15 (server) and 18 (embedded PGlite).

-- What the enabled rules are, as one value: the save compares the rules it
-- validated against with the ones in force under the lock.
CREATE FUNCTION ucp_enabled_rules_key() RETURNS text LANGUAGE sql STABLE
SET search_path = public, pg_temp AS $$
  SELECT md5(COALESCE(string_agg(name || E'\x1f' || expression || E'\x1f' || message, E'\x1e' ORDER BY name), ''))
  FROM cross_parameter_rules WHERE enabled
$$;

-- A VOLATILE plpgsql function: each statement in it takes a fresh snapshot
-- (READ COMMITTED), so the checks after the lock see whatever the lock's
-- previous holder committed (a freeze window, a catalog change, a rule). One
-- statement with a CTE would not: its snapshot predates the lock wait.
CREATE FUNCTION ucp_save_config_version(
  p_environment text,
  p_environment_id uuid,
  p_expected_version integer,
  p_catalog_revision bigint,
  p_rules_key text,
  p_version jsonb,
  p_changes jsonb,
  p_audit jsonb
) RETURNS text LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp AS $$
DECLARE
  env record;
  frozen record;
  saved record;
  previous jsonb;
BEGIN
  -- Unlocked first: a stale writer fails fast instead of queueing for the lock.
  SELECT id, active_version INTO env FROM environments WHERE name = p_environment;
  IF NOT FOUND THEN
    RETURN json_build_object('status', 'NOT_FOUND')::text;
  END IF;
  IF env.id <> p_environment_id THEN
    RETURN json_build_object('status', 'STALE')::text;
  END IF;
  IF env.active_version <> p_expected_version THEN
    RETURN json_build_object('status', 'VERSION_CONFLICT', 'currentVersion', env.active_version)::text;
  END IF;

  SELECT id, active_version INTO env FROM environments WHERE id = p_environment_id FOR UPDATE;
  IF env.active_version <> p_expected_version THEN
    RETURN json_build_object('status', 'VERSION_CONFLICT', 'currentVersion', env.active_version)::text;
  END IF;

  SELECT id, ends_at, reason INTO frozen FROM freeze_windows
   WHERE environment_id = p_environment_id AND cancelled_at IS NULL AND starts_at <= now() AND ends_at > now()
   ORDER BY ends_at DESC LIMIT 1;
  IF FOUND THEN
    RETURN json_build_object('status', 'FROZEN', 'id', frozen.id, 'endsAt', frozen.ends_at, 'reason', frozen.reason)::text;
  END IF;

  IF (SELECT COALESCE(max(id), 0) FROM variable_catalog_history) <> p_catalog_revision
     OR ucp_enabled_rules_key() <> p_rules_key THEN
    RETURN json_build_object('status', 'STALE')::text;
  END IF;

  SELECT "values" INTO previous FROM config_versions WHERE environment_id = p_environment_id AND version = p_expected_version;
  previous := COALESCE(previous, '{}'::jsonb);

  INSERT INTO config_versions (environment_id, version, kind, "values", reason, author_id, approver_id,
                               change_request_id, restored_from, promoted_from)
  VALUES (p_environment_id, p_expected_version + 1, (p_version->>'kind')::"VersionKind",
          previous || (SELECT COALESCE(jsonb_object_agg(c->>'name', c->'after'), '{}'::jsonb) FROM jsonb_array_elements(p_changes) AS t(c)),
          p_version->>'reason',
          (p_version->>'authorId')::uuid, (p_version->>'approverId')::uuid, (p_version->>'changeRequestId')::uuid,
          (p_version->>'restoredFrom')::integer, p_version->>'promotedFrom')
  RETURNING id, created_at INTO saved;

  INSERT INTO config_changes (version_id, parameter_name, before, after)
  SELECT saved.id, c->>'name', previous->>(c->>'name'), c->>'after'
  FROM jsonb_array_elements(p_changes) WITH ORDINALITY AS t(c, n) ORDER BY n;

  INSERT INTO audit_events (action, actor, environment_id, parameter_name, config_version, subject_id, reason, details)
  SELECT a->>'action', a->>'actor', p_environment_id, a->>'parameterName', p_expected_version + 1, a->>'subjectId',
         a->>'reason', COALESCE(a->'details', '{}'::jsonb)
  FROM jsonb_array_elements(p_audit) WITH ORDINALITY AS t(a, n) ORDER BY n;

  RETURN json_build_object('status', 'APPLIED', 'id', saved.id::text, 'createdAt', saved.created_at)::text;
END;
$$;

-- The application role calls both (and can do nothing through them it could
-- not do with its own INSERTs: they run with the caller's privileges).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ucp_app') THEN
    GRANT EXECUTE ON FUNCTION ucp_enabled_rules_key(), ucp_save_config_version(text, uuid, integer, bigint, text, jsonb, jsonb, jsonb) TO ucp_app;
  END IF;
END;
$$;
