-- A service token without an environment reads every environment and can do
-- nothing else (Grafana's datasource over all environments). Expand-only: every
-- existing token keeps its environment; the authenticator turns a token with
-- none into a read-only viewer, which no write path accepts.
ALTER TABLE "service_tokens" ALTER COLUMN "environment_id" DROP NOT NULL;
