-- The application runs as a member of ucp_app, a role that owns nothing: it
-- cannot disable a trigger, change session_replication_role, truncate,
-- create or alter anything. Migrations and seeding run as the owner of the
-- tables (MIGRATION_DATABASE_URL); the server connects with DATABASE_URL as a
-- login role granted ucp_app, e.g.
--   CREATE ROLE ucp_api LOGIN PASSWORD '...' IN ROLE ucp_app;
-- Roles belong to the whole server: a migrating role that may not create
-- roles skips that step with a warning (create ucp_app NOLOGIN first, then
-- migrate); on a single-user server (embedded PGlite, a developer's trust
-- server) the role exists and nobody logs in through it.
-- Rule for later migrations: tables they create get SELECT, INSERT, UPDATE
-- by default privileges (below); a history table revokes UPDATE, a table the
-- application deletes from grants DELETE, and test/database-roles.test.ts
-- lists every table's privileges, so a new table fails it until decided.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ucp_app') THEN
    CREATE ROLE ucp_app NOLOGIN;
  END IF;
EXCEPTION
  -- Another database on this server migrating at the same moment.
  WHEN duplicate_object OR unique_violation THEN NULL;
  WHEN insufficient_privilege THEN
    RAISE WARNING 'role ucp_app was not created (%): create it (CREATE ROLE ucp_app NOLOGIN) and grant it as in this migration', SQLERRM;
END;
$$;

-- Nobody but the owner creates objects in the schema (PostgreSQL 15's
-- default already; databases upgraded from 14 or earlier still grant it).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

DO $$
DECLARE
  owner name;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ucp_app') THEN
    RETURN;
  END IF;
  GRANT USAGE ON SCHEMA public TO ucp_app;

  -- Exactly what the server does to each table. SELECT ... FOR UPDATE/SHARE
  -- needs UPDATE, and the config-version trigger moves environments'
  -- active_version as the inserting role: hence UPDATE on environments.
  GRANT SELECT, INSERT, UPDATE ON users, service_tokens, variable_catalog, cross_parameter_rules,
    change_requests, freeze_windows, runs, workers TO ucp_app;
  GRANT SELECT, UPDATE ON environments TO ucp_app;
  GRANT SELECT, INSERT, DELETE ON sessions, change_request_items TO ucp_app;
  GRANT SELECT, INSERT ON config_versions, config_changes, audit_events, variable_catalog_history,
    parameter_sets, parameter_set_entries, worker_applies TO ucp_app;
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ucp_app;
  GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ucp_app;
  -- Reading the migration history lets a server that connects as the
  -- application check that the schema is up to date (applying needs the owner).
  IF to_regclass('public._prisma_migrations') IS NOT NULL THEN
    GRANT SELECT ON _prisma_migrations TO ucp_app;
  END IF;

  -- Tables and sequences later migrations create (as the same owner).
  SELECT tableowner INTO owner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'config_versions';
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT, INSERT, UPDATE ON TABLES TO ucp_app', owner);
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ucp_app', owner);
END;
$$;
