-- Issue 15: one worker_status_changed notification per UPDATE statement, not
-- one per row. Every save makes every worker report its apply, and the apply
-- report writer moves a batch of hundreds of workers in one UPDATE: a
-- thousand workers were a thousand notifications per version for the LISTEN
-- connection to read and parse, where a handful now carry the same ids.
--
-- The statement's notification names the changed workers of one environment
-- (`{"environmentId": ..., "ids": [...]}`); the LISTEN bridge publishes one
-- workerStatusChanged event per id, exactly as one row's notification did.
-- The condition is the row trigger's (heartbeats alone stay silent). A
-- statement that changes more workers than fit in one payload (pg_notify
-- refuses 8000 bytes or more) sends several: 180 ids of 36 characters, each
-- quoted and separated (40 bytes), are 7,200 bytes with the envelope's ~70.
--
-- A registration (INSERT) keeps its row trigger and payload: workers register
-- one at a time. PostgreSQL allows transition tables on a trigger of one
-- event only, so the row trigger now fires on INSERT alone and the statement
-- trigger on UPDATE (an upsert's update included). NOTIFY is delivered at
-- commit either way, so nothing is published earlier or later than before.
-- Valid on PostgreSQL 15 (server) and 18 (embedded PGlite).
DROP TRIGGER workers_notify ON workers;

CREATE TRIGGER workers_notify AFTER INSERT ON workers
  FOR EACH ROW EXECUTE FUNCTION ucp_notify_worker_status();

CREATE FUNCTION ucp_notify_workers_updated() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  payload text;
BEGIN
  -- A worker's id never changes (nothing updates it), so the old and the new
  -- row of a worker meet on it.
  FOR payload IN
    SELECT json_build_object('environmentId', changed.environment_id, 'ids', json_agg(changed.id ORDER BY changed.id))::text
    FROM (
      SELECT n.id, n.environment_id, (row_number() OVER (PARTITION BY n.environment_id ORDER BY n.id) - 1) / 180 AS part
      FROM workers_new n JOIN workers_old o ON o.id = n.id
      WHERE n.status IS DISTINCT FROM o.status
         OR n.applied_version IS DISTINCT FROM o.applied_version
         OR n.received_version IS DISTINCT FROM o.received_version
         OR n.pending_restart IS DISTINCT FROM o.pending_restart
    ) changed
    GROUP BY changed.environment_id, changed.part
  LOOP
    PERFORM pg_notify('worker_status_changed', payload);
  END LOOP;
  RETURN NULL;
END;
$$;

CREATE TRIGGER workers_notify_updated AFTER UPDATE ON workers
  REFERENCING OLD TABLE AS workers_old NEW TABLE AS workers_new
  FOR EACH STATEMENT EXECUTE FUNCTION ucp_notify_workers_updated();

-- The application role's writes fire it, as they fire every ucp_ trigger function.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ucp_app') THEN
    GRANT EXECUTE ON FUNCTION ucp_notify_workers_updated() TO ucp_app;
  END IF;
END;
$$;
