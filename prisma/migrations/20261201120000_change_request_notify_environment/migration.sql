-- change_request_updated names the request's environment (id and name): a
-- changeRequestUpdated subscription filters by environment and by the
-- subscriber's permission from the notification alone, instead of reading
-- the request back for every event and every subscriber.
CREATE OR REPLACE FUNCTION ucp_notify_change_request() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('change_request_updated', json_build_object(
    'id', NEW.id, 'status', NEW.status, 'revision', NEW.revision,
    'environmentId', NEW.environment_id,
    'environment', (SELECT name FROM environments WHERE id = NEW.environment_id))::text);
  RETURN NULL;
END;
$$;
