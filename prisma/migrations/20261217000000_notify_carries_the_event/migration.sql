-- The config_changed notification carries the version's event (what the
-- LISTEN bridge publishes: kind, commit time, author, every change with its
-- before and after) whenever it fits in NOTIFY's payload, so the bridge
-- publishes a version without reading it back first: one query less on
-- every save's path to its subscribers. A larger version (an import, a
-- restore of many values) keeps the short form and is read as before.
--
-- The trigger becomes a deferred constraint trigger: it fires at commit,
-- once the version's change rows (inserted after the version row) exist.
-- NOTIFY is delivered at commit either way, so nothing is published earlier
-- or later than before, and a rolled-back write still publishes nothing.
DROP TRIGGER config_versions_notify ON config_versions;

CREATE OR REPLACE FUNCTION ucp_notify_config_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  environment_name text;
  payload text;
BEGIN
  SELECT name INTO environment_name FROM environments WHERE id = NEW.environment_id;
  -- The same event, key for key, as readVersionEvents reads back.
  SELECT json_build_object(
    'environment', environment_name,
    'version', NEW.version,
    'event', json_build_object(
      'kind', NEW.kind::text,
      'createdAt', NEW.created_at,
      'author', u.username,
      'changes', COALESCE((SELECT json_agg(json_build_object('name', c.parameter_name, 'before', c.before, 'after', c.after) ORDER BY c.parameter_name)
                           FROM config_changes c WHERE c.version_id = NEW.id), '[]'::json)))::text
    INTO payload
    FROM users u WHERE u.id = NEW.author_id;
  -- pg_notify refuses payloads of 8000 bytes or more.
  IF payload IS NULL OR octet_length(payload) > 7900 THEN
    payload := json_build_object('environment', environment_name, 'version', NEW.version)::text;
  END IF;
  PERFORM pg_notify('config_changed', payload);
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER config_versions_notify AFTER INSERT ON config_versions
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ucp_notify_config_changed();
