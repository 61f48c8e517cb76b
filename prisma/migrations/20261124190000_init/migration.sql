-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('VIEWER', 'EDITOR', 'APPROVER', 'ADMIN');

-- CreateEnum
CREATE TYPE "ParameterType" AS ENUM ('ENUM', 'BOOL', 'INT', 'FLOAT', 'STRING');

-- CreateEnum
CREATE TYPE "ParameterCategory" AS ENUM ('THRESHOLD', 'FILTER_FLAG', 'COOLDOWN', 'RISK_LIMIT', 'MODEL', 'FEATURE_ENGINEERING', 'EXECUTION', 'COST', 'HPO');

-- CreateEnum
CREATE TYPE "VersionKind" AS ENUM ('SEED', 'EDIT', 'RESTORE', 'PROMOTION');

-- CreateEnum
CREATE TYPE "ChangeRequestStatus" AS ENUM ('PENDING', 'APPLIED', 'REJECTED', 'WITHDRAWN');

-- CreateEnum
CREATE TYPE "RunKind" AS ENUM ('EXPERIMENT', 'BACKTEST', 'PAPER', 'LIVE');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "WorkerStatus" AS ENUM ('NOT_READY', 'READY', 'STALE', 'ERROR', 'STOPPED');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "csrf_token" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "service_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "environment_id" UUID NOT NULL,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "service_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "variable_catalog" (
    "name" TEXT NOT NULL,
    "type" "ParameterType" NOT NULL,
    "allowed_values" TEXT[],
    "min_value" DOUBLE PRECISION,
    "max_value" DOUBLE PRECISION,
    "default_value" TEXT,
    "unit" TEXT,
    "description" TEXT NOT NULL,
    "group_name" TEXT NOT NULL,
    "required" BOOLEAN NOT NULL DEFAULT true,
    "deprecated" BOOLEAN NOT NULL DEFAULT false,
    "deprecation_reason" TEXT,
    "replacement_name" TEXT,
    "deprecated_values" JSONB NOT NULL DEFAULT '[]',
    "hot_reloadable" BOOLEAN NOT NULL DEFAULT false,
    "category" "ParameterCategory" NOT NULL,
    "critical" BOOLEAN NOT NULL DEFAULT false,
    "excluded_from_ftf" BOOLEAN NOT NULL DEFAULT false,
    "validator" TEXT,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "variable_catalog_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "variable_catalog_history" (
    "id" BIGSERIAL NOT NULL,
    "parameter_name" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "snapshot" JSONB NOT NULL,
    "changed_by" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "variable_catalog_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cross_parameter_rules" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "expression" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cross_parameter_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "environments" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "active_version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "environments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "config_versions" (
    "id" BIGSERIAL NOT NULL,
    "environment_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "kind" "VersionKind" NOT NULL,
    "values" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "author_id" UUID NOT NULL,
    "approver_id" UUID,
    "change_request_id" UUID,
    "restored_from" INTEGER,
    "promoted_from" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "config_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "config_changes" (
    "id" BIGSERIAL NOT NULL,
    "version_id" BIGINT NOT NULL,
    "parameter_name" TEXT NOT NULL,
    "before" TEXT,
    "after" TEXT,

    CONSTRAINT "config_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "environment_id" UUID,
    "parameter_name" TEXT,
    "config_version" INTEGER,
    "subject_id" TEXT,
    "reason" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "change_requests" (
    "id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "kind" "VersionKind" NOT NULL,
    "status" "ChangeRequestStatus" NOT NULL DEFAULT 'PENDING',
    "base_version" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "reason" TEXT NOT NULL,
    "author_id" UUID NOT NULL,
    "reviewer_id" UUID,
    "review_comment" TEXT,
    "reviewed_at" TIMESTAMPTZ(3),
    "restored_from" INTEGER,
    "promoted_from" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "change_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "change_request_items" (
    "change_request_id" UUID NOT NULL,
    "parameter_name" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "change_request_items_pkey" PRIMARY KEY ("change_request_id","parameter_name")
);

-- CreateTable
CREATE TABLE "freeze_windows" (
    "id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "freeze_windows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "parameter_sets" (
    "hash" CHAR(64) NOT NULL,
    "environment_id" UUID,
    "config_version" INTEGER,
    "catalog_version" BIGINT NOT NULL,
    "values" JSONB NOT NULL,
    "catalog_snapshot" JSONB NOT NULL,
    "factors" JSONB NOT NULL DEFAULT '{}',
    "code_version" JSONB NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "parameter_sets_pkey" PRIMARY KEY ("hash")
);

-- CreateTable
CREATE TABLE "parameter_set_entries" (
    "parameter_set_hash" CHAR(64) NOT NULL,
    "parameter_name" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "parameter_set_entries_pkey" PRIMARY KEY ("parameter_set_hash","parameter_name")
);

-- CreateTable
CREATE TABLE "runs" (
    "id" UUID NOT NULL,
    "kind" "RunKind" NOT NULL,
    "name" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'PENDING',
    "parameter_set_hash" CHAR(64) NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_by_id" UUID,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workers" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "mode" "RunKind" NOT NULL,
    "environment_id" UUID NOT NULL,
    "token_id" UUID,
    "status" "WorkerStatus" NOT NULL DEFAULT 'NOT_READY',
    "received_version" INTEGER,
    "applied_version" INTEGER,
    "last_applied_at" TIMESTAMPTZ(3),
    "last_heartbeat_at" TIMESTAMPTZ(3),
    "pending_restart" TEXT[],
    "consumes" TEXT[],
    "registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "worker_applies" (
    "id" BIGSERIAL NOT NULL,
    "worker_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL,
    "latency_ms" DOUBLE PRECISION,
    "keys" TEXT[],

    CONSTRAINT "worker_applies_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions"("token_hash");

-- CreateIndex
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "service_tokens_token_hash_key" ON "service_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "variable_catalog_group_name_idx" ON "variable_catalog"("group_name");

-- CreateIndex
CREATE INDEX "variable_catalog_category_idx" ON "variable_catalog"("category");

-- CreateIndex
CREATE UNIQUE INDEX "variable_catalog_history_parameter_name_revision_key" ON "variable_catalog_history"("parameter_name", "revision");

-- CreateIndex
CREATE UNIQUE INDEX "cross_parameter_rules_name_key" ON "cross_parameter_rules"("name");

-- CreateIndex
CREATE UNIQUE INDEX "environments_name_key" ON "environments"("name");

-- CreateIndex
CREATE UNIQUE INDEX "config_versions_change_request_id_key" ON "config_versions"("change_request_id");

-- CreateIndex
CREATE UNIQUE INDEX "config_versions_environment_id_version_key" ON "config_versions"("environment_id", "version");

-- CreateIndex
CREATE INDEX "config_changes_parameter_name_idx" ON "config_changes"("parameter_name");

-- CreateIndex
CREATE UNIQUE INDEX "config_changes_version_id_parameter_name_key" ON "config_changes"("version_id", "parameter_name");

-- CreateIndex
CREATE INDEX "audit_events_environment_id_at_idx" ON "audit_events"("environment_id", "at");

-- CreateIndex
CREATE INDEX "audit_events_parameter_name_idx" ON "audit_events"("parameter_name");

-- CreateIndex
CREATE INDEX "change_requests_environment_id_status_idx" ON "change_requests"("environment_id", "status");

-- CreateIndex
CREATE INDEX "freeze_windows_environment_id_ends_at_idx" ON "freeze_windows"("environment_id", "ends_at");

-- CreateIndex
CREATE INDEX "parameter_set_entries_parameter_name_idx" ON "parameter_set_entries"("parameter_name");

-- CreateIndex
CREATE INDEX "runs_parameter_set_hash_idx" ON "runs"("parameter_set_hash");

-- CreateIndex
CREATE UNIQUE INDEX "workers_environment_id_name_key" ON "workers"("environment_id", "name");

-- CreateIndex
CREATE INDEX "worker_applies_worker_id_applied_at_idx" ON "worker_applies"("worker_id", "applied_at");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "service_tokens" ADD CONSTRAINT "service_tokens_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "service_tokens" ADD CONSTRAINT "service_tokens_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "variable_catalog" ADD CONSTRAINT "variable_catalog_replacement_name_fkey" FOREIGN KEY ("replacement_name") REFERENCES "variable_catalog"("name") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "variable_catalog_history" ADD CONSTRAINT "variable_catalog_history_parameter_name_fkey" FOREIGN KEY ("parameter_name") REFERENCES "variable_catalog"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "config_versions" ADD CONSTRAINT "config_versions_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "config_versions" ADD CONSTRAINT "config_versions_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "config_versions" ADD CONSTRAINT "config_versions_approver_id_fkey" FOREIGN KEY ("approver_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "config_versions" ADD CONSTRAINT "config_versions_change_request_id_fkey" FOREIGN KEY ("change_request_id") REFERENCES "change_requests"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "config_changes" ADD CONSTRAINT "config_changes_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "config_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "config_changes" ADD CONSTRAINT "config_changes_parameter_name_fkey" FOREIGN KEY ("parameter_name") REFERENCES "variable_catalog"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "change_requests" ADD CONSTRAINT "change_requests_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "change_requests" ADD CONSTRAINT "change_requests_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "change_requests" ADD CONSTRAINT "change_requests_reviewer_id_fkey" FOREIGN KEY ("reviewer_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "change_request_items" ADD CONSTRAINT "change_request_items_change_request_id_fkey" FOREIGN KEY ("change_request_id") REFERENCES "change_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "change_request_items" ADD CONSTRAINT "change_request_items_parameter_name_fkey" FOREIGN KEY ("parameter_name") REFERENCES "variable_catalog"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "freeze_windows" ADD CONSTRAINT "freeze_windows_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "freeze_windows" ADD CONSTRAINT "freeze_windows_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "parameter_sets" ADD CONSTRAINT "parameter_sets_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "parameter_sets" ADD CONSTRAINT "parameter_sets_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "parameter_set_entries" ADD CONSTRAINT "parameter_set_entries_parameter_set_hash_fkey" FOREIGN KEY ("parameter_set_hash") REFERENCES "parameter_sets"("hash") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "parameter_set_entries" ADD CONSTRAINT "parameter_set_entries_parameter_name_fkey" FOREIGN KEY ("parameter_name") REFERENCES "variable_catalog"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_parameter_set_hash_fkey" FOREIGN KEY ("parameter_set_hash") REFERENCES "parameter_sets"("hash") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workers" ADD CONSTRAINT "workers_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workers" ADD CONSTRAINT "workers_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "service_tokens"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "worker_applies" ADD CONSTRAINT "worker_applies_worker_id_fkey" FOREIGN KEY ("worker_id") REFERENCES "workers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
