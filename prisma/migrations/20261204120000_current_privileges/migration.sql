-- Privileges take effect at once (issue 9). Valid on PostgreSQL 15 (server)
-- and 18 (embedded PGlite).

-- ------------------------------------------------------------ credential versions

-- Bumped whenever the password changes, whoever changes it (the service or an
-- operator's SQL): a socket opened with Basic credentials holds the version it
-- was opened with and is refused once that is no longer the current one.
ALTER TABLE users ADD COLUMN password_version INTEGER NOT NULL DEFAULT 1;

-- Like every ucp_ function, it resolves names in public only (20261202010000_invariant_holes).
CREATE FUNCTION ucp_users_password_version() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.password_hash IS DISTINCT FROM OLD.password_hash THEN
    NEW.password_version := OLD.password_version + 1;
  ELSE
    -- Nobody sets it by hand: a version moved back would revive old sockets.
    NEW.password_version := OLD.password_version;
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER users_password_version BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION ucp_users_password_version();

-- ------------------------------------------------------------ two people, not two accounts

-- Who could act as an account besides its owner: everyone who set one of its
-- passwords (created it or reset it) and, transitively, whoever could act as
-- them at that moment. A critical change is approved only by an account no
-- such person shares with its author; only a second, independent person's
-- confirmation empties the list (README, Access). A change of one's own
-- password does not: whoever knew the old one could have made it.
ALTER TABLE users ADD COLUMN credential_holders UUID[] NOT NULL DEFAULT '{}';
-- Who set the current password: null for a seeded account (the installer),
-- the user's own id after they changed it themselves.
ALTER TABLE users ADD COLUMN password_set_by_id UUID REFERENCES users(id);

-- ------------------------------------------------------------ credentials_changed

-- Every replica closes the sockets and streams of a credential that changed
-- as soon as this arrives; the check on each operation reads the database
-- itself, so a notification lost while LISTEN was down delays a close, never
-- lets an operation through. Payload: {"kind": "user"|"token"|"session", "id"}.
CREATE FUNCTION ucp_notify_credentials_changed() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'users' THEN
    IF NEW.role IS DISTINCT FROM OLD.role OR NEW.disabled IS DISTINCT FROM OLD.disabled
       OR NEW.password_hash IS DISTINCT FROM OLD.password_hash THEN
      PERFORM pg_notify('credentials_changed', json_build_object('kind', 'user', 'id', NEW.id)::text);
    END IF;
  ELSIF TG_TABLE_NAME = 'service_tokens' THEN
    IF NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
      PERFORM pg_notify('credentials_changed', json_build_object('kind', 'token', 'id', NEW.id)::text);
    END IF;
  ELSIF TG_TABLE_NAME = 'sessions' THEN
    PERFORM pg_notify('credentials_changed', json_build_object('kind', 'session', 'id', OLD.id)::text);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER users_credentials_changed AFTER UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION ucp_notify_credentials_changed();
CREATE TRIGGER service_tokens_credentials_changed AFTER UPDATE ON service_tokens
  FOR EACH ROW EXECUTE FUNCTION ucp_notify_credentials_changed();
CREATE TRIGGER sessions_credentials_changed AFTER DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION ucp_notify_credentials_changed();

-- ------------------------------------------------------------ sign-in throttling

-- Failed password sign-ins per account (subject: sha256 of the user name, so
-- a password typed into the name field is never stored) and per client
-- address, with the block they earned; `known` rows remember where an account
-- signed in successfully, so an attack on an account from elsewhere cannot
-- lock its owner out. Not history: rows are reset, and pruned when idle.
CREATE TABLE sign_in_throttles (
  scope TEXT NOT NULL CHECK (scope IN ('account', 'source', 'known')),
  subject TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  blocked_until TIMESTAMPTZ(3),
  -- The last failure (account, source) or the last success (known).
  last_at TIMESTAMPTZ(3) NOT NULL,
  PRIMARY KEY (scope, subject)
);
CREATE INDEX sign_in_throttles_last_at ON sign_in_throttles (last_at);

DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ucp_app') THEN
    -- SELECT, INSERT, UPDATE come from the default privileges; the server
    -- also prunes idle rows.
    GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_throttles TO ucp_app;
    GRANT EXECUTE ON FUNCTION ucp_users_password_version(), ucp_notify_credentials_changed() TO ucp_app;
  END IF;
END;
$$;
