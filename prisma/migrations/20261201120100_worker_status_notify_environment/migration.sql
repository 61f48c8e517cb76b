-- worker_status_changed names the worker's environment: a workerStatusChanged
-- subscription filters by environment and by the subscriber's permission from
-- the notification alone, instead of reading the worker back for every event
-- and every subscriber. A worker never changes environment (its key is
-- (environment, name)), so the id in the payload is always its own.
CREATE OR REPLACE FUNCTION ucp_notify_worker_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT'
     OR NEW.status IS DISTINCT FROM OLD.status
     OR NEW.applied_version IS DISTINCT FROM OLD.applied_version
     OR NEW.received_version IS DISTINCT FROM OLD.received_version
     OR NEW.pending_restart IS DISTINCT FROM OLD.pending_restart THEN
    PERFORM pg_notify('worker_status_changed', json_build_object('id', NEW.id, 'environmentId', NEW.environment_id)::text);
  END IF;
  RETURN NULL;
END;
$$;
