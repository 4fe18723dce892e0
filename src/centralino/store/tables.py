"""Table definitions (SQLAlchemy Core). The domain never imports this module."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
)

from centralino.store.types import UTCDateTime, json_type, path_type

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

companies = Table(
    "companies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("timezone", String(64), nullable=False),
    Column("locale", String(8), nullable=False),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

groups = Table(
    "groups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("parent_id", ForeignKey("groups.id"), nullable=True),
    Column("name", String(120), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("path", path_type(), nullable=False, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("parent_id", "name", name="uq_groups_parent_name"),
    Index("ix_groups_company_id", "company_id"),
)

clients = Table(
    "clients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("group_id", ForeignKey("groups.id"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("company_id", "name", name="uq_clients_company_name"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("group_id", ForeignKey("groups.id"), nullable=False),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False),
    Column("email", String(254), nullable=True),
    Column("password_hash", String(255), nullable=False),
    Column("locale", String(8), nullable=True),
    Column("timezone", String(64), nullable=True),
    Column("client_id", ForeignKey("clients.id"), nullable=True),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("password_changed_at", UTCDateTime(), nullable=True),
    Index("ix_users_group_id", "group_id"),
)

role_grants = Table(
    "role_grants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(32), nullable=False),
    Column("group_id", ForeignKey("groups.id"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("user_id", "role", "group_id", name="uq_role_grants_user_role_group"),
    Index("ix_role_grants_group_id", "group_id"),
)

role_definitions = Table(
    "role_definitions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(32), nullable=False),
    Column("permissions", json_type(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("company_id", "role", name="uq_role_definitions_company_role"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("address", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_web_sessions_user_id", "user_id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=True),
    Column("last_used_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Index("ix_api_tokens_user_id", "user_id"),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_login_failures_username_at", "username", "at"),
    Index("ix_login_failures_address_at", "address", "at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", Integer, nullable=True),
    Column("group_path", path_type(), nullable=True),
    Column("actor_id", Integer, nullable=True),
    Column("actor_name", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("before", json_type(), nullable=True),
    Column("after", json_type(), nullable=True),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_audit_log_company_id_at", "company_id", "at"),
    Index("ix_audit_log_group_path", "group_path"),
)

# --- outbound (OUT-1 to OUT-5) ---

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("group_id", ForeignKey("groups.id"), nullable=False),
    Column("client_id", ForeignKey("clients.id"), nullable=True),
    Column("name", String(120), nullable=False),
    Column("dial_mode", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("caller_id", String(32), nullable=True),
    Column("default_region", String(2), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("compliance", String(16), nullable=False),
    Column("windows", json_type(), nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("positive_target", Float, nullable=False),
    Column("max_abandon_rate", Float, nullable=False),
    Column("power_ratio", Float, nullable=False),
    Column("settings", json_type(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("company_id", "name", name="uq_campaigns_company_name"),
    Index("ix_campaigns_group_id", "group_id"),
)

campaign_members = Table(
    "campaign_members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), nullable=True),
    UniqueConstraint("campaign_id", "user_id", "group_id", name="uq_campaign_members_member"),
)

contact_lists = Table(
    "contact_lists",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("columns", json_type(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_contact_lists_campaign_id", "campaign_id"),
)

records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("list_id", ForeignKey("contact_lists.id", ondelete="CASCADE"), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("phone", String(20), nullable=False),
    Column("phone_raw", String(64), nullable=False),
    Column("name", String(200), nullable=True),
    Column("email", String(254), nullable=True),
    Column("timezone", String(64), nullable=False),
    # read only whole: json (kept as written) rather than jsonb, cheaper to import
    Column("data", JSON, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_at", UTCDateTime(), nullable=True),
    Column("last_outcome", String(32), nullable=True),
    Column("assigned_user_id", ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("lock_token", String(36), nullable=True),
    Column("locked_until", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("campaign_id", "phone", name="uq_records_campaign_phone"),
    Index("ix_records_dial_order", "campaign_id", "state", "priority", "next_at"),
    Index("ix_records_list_id", "list_id"),
)

import_jobs = Table(
    "import_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("list_id", ForeignKey("contact_lists.id", ondelete="CASCADE"), nullable=False),
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("filename", String(255), nullable=False),
    Column("state", String(16), nullable=False),
    Column("mapping", json_type(), nullable=False),
    Column("bytes_total", Integer, nullable=False),
    Column("bytes_done", Integer, nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_imported", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("message", String(1000), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
)

import_rejections = Table(
    "import_rejections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("job_id", ForeignKey("import_jobs.id", ondelete="CASCADE"), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("column_name", String(200), nullable=True),
    Column("value", String(500), nullable=True),
    Column("reason", String(300), nullable=False),
    Index("ix_import_rejections_job_id", "job_id", "row_number"),
)

dnc_entries = Table(
    "dnc_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=True),
    Column("phone", String(20), nullable=False),
    Column("source", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("company_id", "campaign_id", "phone", name="uq_dnc_entries_scope_phone"),
    Index("ix_dnc_entries_phone", "company_id", "phone"),
)

outcomes = Table(
    "outcomes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("label", String(120), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("is_system", Boolean, nullable=False),
    Column("retry_delay_seconds", Integer, nullable=True),
    Column("max_attempts", Integer, nullable=True),
    Column("final", Boolean, nullable=False),
    Column("block_number", Boolean, nullable=False),
    Column("position", Integer, nullable=False),
    UniqueConstraint("campaign_id", "code", name="uq_outcomes_campaign_code"),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("record_id", ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("phone", String(20), nullable=False),
    Column("dial_mode", String(16), nullable=False),
    Column("rule", json_type(), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("answered_at", UTCDateTime(), nullable=True),
    Column("connected_at", UTCDateTime(), nullable=True),
    Column("ended_at", UTCDateTime(), nullable=True),
    Column("outcome", String(32), nullable=True),
    Column("abandoned", Boolean, nullable=False),
    Column("hangup_cause", String(32), nullable=True),
    Column("notes", String(2000), nullable=True),
    Index("ix_attempts_campaign_started", "campaign_id", "started_at"),
    Index("ix_attempts_record_id", "record_id"),
)

callbacks = Table(
    "callbacks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("record_id", ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("notes", String(2000), nullable=True),
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("done_at", UTCDateTime(), nullable=True),
    Index("ix_callbacks_due", "campaign_id", "done_at", "due_at"),
)

# --- inbound (IN-1 to IN-4, IN-8, TEL-2) ---

queues = Table(
    "queues",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("group_id", ForeignKey("groups.id"), nullable=False),
    Column("name", String(80), nullable=False),
    Column("settings", json_type(), nullable=False),  # QueueConfig.as_json()
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("company_id", "name", name="uq_queues_company_name"),
    Index("ix_queues_group_id", "group_id"),
)

queue_members = Table(
    "queue_members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("queue_id", ForeignKey("queues.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("tier", Integer, nullable=False),
    UniqueConstraint("queue_id", "user_id", name="uq_queue_members_queue_user"),
    Index("ix_queue_members_user_id", "user_id"),
)

services = Table(
    "services",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("group_id", ForeignKey("groups.id"), nullable=False),
    Column("client_id", ForeignKey("clients.id"), nullable=True),
    Column("name", String(120), nullable=False),
    Column("settings", json_type(), nullable=False),  # ServiceConfig.as_json() but numbers
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("company_id", "name", name="uq_services_company_name"),
    Index("ix_services_group_id", "group_id"),
)

service_numbers = Table(
    "service_numbers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), nullable=False),
    Column("number", String(20), nullable=False),  # E.164
    UniqueConstraint("company_id", "number", name="uq_service_numbers_company_number"),
    Index("ix_service_numbers_service_id", "service_id"),
)

pause_reasons = Table(
    "pause_reasons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("label", String(120), nullable=False),
    Column("limit_seconds", Float, nullable=True),
    Column("screen_break", Boolean, nullable=False),
    UniqueConstraint("company_id", "code", name="uq_pause_reasons_company_code"),
)

operator_states = Table(
    "operator_states",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("reason", String(32), nullable=True),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_operator_states_user_id_at", "user_id", "at"),
    Index("ix_operator_states_company_id_at", "company_id", "at"),
)

calls = Table(
    "calls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("group_id", ForeignKey("groups.id", ondelete="SET NULL"), nullable=True),
    Column("call_id", Integer, nullable=False),  # the engine's id of the call
    Column("direction", String(8), nullable=False),
    Column("service", String(120), nullable=True),
    Column("queue", String(120), nullable=False),  # inbound queue or outbound campaign
    Column("number", String(32), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("result", String(24), nullable=False),
    Column("hangup_cause", String(32), nullable=True),
    Column("refused_reason", String(120), nullable=True),
    Column("outcome", String(32), nullable=True),
    Column("positive", Boolean, nullable=False),
    Column("abandon_rule", String(200), nullable=True),
    Column("arrived_at", UTCDateTime(), nullable=False),
    Column("welcome_at", UTCDateTime(), nullable=True),
    Column("answered_at", UTCDateTime(), nullable=True),
    Column("queued_at", UTCDateTime(), nullable=True),
    Column("ringing_at", UTCDateTime(), nullable=True),
    Column("picked_up_at", UTCDateTime(), nullable=True),
    Column("transferred_at", UTCDateTime(), nullable=True),
    Column("ended_at", UTCDateTime(), nullable=True),
    Column("phases", json_type(), nullable=False),  # [[at ISO UTC, phase, detail], ...]
    Index("ix_calls_company_id_arrived_at", "company_id", "arrived_at"),
    Index("ix_calls_queue_arrived_at", "queue", "arrived_at"),
)


# The inbound figures of `calls` summed per UTC hour of arrival, company, owner group,
# service, queue and operator, kept by services.calls.save_calls in the same transaction
# as the legs (IN-8 reports read this, not the legs). 0 and "" stand for no group, user
# or service, so the key has no NULLs and an upsert can find its row.
def _tally_columns() -> list[Column[Any]]:
    """The additive figures of an hourly roll-up (summed in place by an upsert)."""
    return [
        Column("offered", Integer, nullable=False),
        Column("answered", Integer, nullable=False),
        Column("answered_in_target", Integer, nullable=False),
        Column("abandoned", Integer, nullable=False),
        Column("unanswered", Integer, nullable=False),
        Column("refused", Integer, nullable=False),
        Column("refused_closed", Integer, nullable=False),
        Column("refused_full", Integer, nullable=False),
        Column("wait_answered", Float, nullable=False),
        Column("wait_all", Float, nullable=False),
        Column("talk", Float, nullable=False),
        Column("positive", Integer, nullable=False),
        Column("ivr", Integer, nullable=False, server_default="0"),  # migration 0013
    ]


call_hours = Table(
    "call_hours",
    metadata,
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("hour", UTCDateTime(), nullable=False),
    Column("service", String(120), nullable=False),
    Column("queue", String(120), nullable=False),
    Column("group_id", Integer, nullable=False),
    Column("user_id", Integer, nullable=False),
    *_tally_columns(),
    PrimaryKeyConstraint("company_id", "hour", "service", "queue", "group_id", "user_id"),
)

# `call_hours` without the operator: what the service, queue and detail reports read
# (a month of a 10M-leg center is ~36k rows here against ~750k there). Kept by
# `CallRepo.add_hours` in the same statement batch as `call_hours`.
service_hours = Table(
    "service_hours",
    metadata,
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("hour", UTCDateTime(), nullable=False),
    Column("service", String(120), nullable=False),
    Column("queue", String(120), nullable=False),
    Column("group_id", Integer, nullable=False),
    *_tally_columns(),
    PrimaryKeyConstraint("company_id", "hour", "service", "queue", "group_id"),
)

# `call_hours` by UTC day: what the operator reports read for the whole UTC days of a
# period, with `call_hours` for the hours at its ends (a month of a 10M-leg center is
# ~30k rows here against ~750k there). Kept by `CallRepo.add_hours` beside `call_hours`.
operator_days = Table(
    "operator_days",
    metadata,
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("day", UTCDateTime(), nullable=False),  # 00:00 UTC
    Column("service", String(120), nullable=False),
    Column("queue", String(120), nullable=False),
    Column("group_id", Integer, nullable=False),
    Column("user_id", Integer, nullable=False),
    *_tally_columns(),
    PrimaryKeyConstraint("company_id", "day", "service", "queue", "group_id", "user_id"),
)

# QA-1: a service's minimum and target (domain.service_levels.ServiceLevelPolicy.as_json()).
service_levels = Table(
    "service_levels",
    metadata,
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("policy", json_type(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# QA-1: each change of a service's verdict seen by the live check (alerts and recoveries).
service_level_alerts = Table(
    "service_level_alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("level", String(16), nullable=False),
    Column("previous", String(16), nullable=False),
    Column("details", json_type(), nullable=False),  # the checks: criterion, value, thresholds
    Index("ix_service_level_alerts_company_id_at", "company_id", "at"),
)

# OUT-7: each campaign's order form (PDA), its fields in order.
order_forms = Table(
    "order_forms",
    metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("fields", json_type(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# OUT-7: an order taken on a call, with its vocal order (the WAV under the data directory).
orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("attempt_id", ForeignKey("attempts.id", ondelete="SET NULL"), nullable=True),
    Column("record_id", ForeignKey("records.id", ondelete="SET NULL"), nullable=True),
    Column("call_id", Integer, nullable=False),  # the engine's call id (per engine run)
    Column("number", String(32), nullable=False),
    Column("values", json_type(), nullable=False),
    Column("recording", String(500), nullable=True),  # relative to the data directory
    Column("recording_seconds", Float, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("attempt_id", name="uq_orders_attempt_id"),
    Index("ix_orders_campaign_id_created_at", "campaign_id", "created_at"),
)

# OUT-6: call scripts (domain.scripts.Script.as_json()), the campaigns and services each
# applies to (one script per campaign, one per service), and the answers given in a call.
scripts = Table(
    "scripts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("group_id", ForeignKey("groups.id"), nullable=False),
    Column("name", String(80), nullable=False),
    Column("body", json_type(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("company_id", "name", name="uq_scripts_company_name"),
    Index("ix_scripts_group_id", "group_id"),
)

script_links = Table(
    "script_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("script_id", ForeignKey("scripts.id", ondelete="CASCADE"), nullable=False),
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), nullable=True),
    UniqueConstraint("campaign_id", name="uq_script_links_campaign_id"),
    UniqueConstraint("service_id", name="uq_script_links_service_id"),
    Index("ix_script_links_script_id", "script_id"),
)

# One row per call, operator and start of the call (the engine numbers calls anew when it
# restarts, so the start tells two calls with the same engine id apart).
script_answers = Table(
    "script_answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("call_id", Integer, nullable=False),  # the engine's id of the call
    Column("call_started_at", UTCDateTime(), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("script_id", ForeignKey("scripts.id", ondelete="SET NULL"), nullable=True),
    Column("script_name", String(80), nullable=False),
    Column("campaign_id", Integer, nullable=True),
    Column("service", String(120), nullable=True),
    Column("record_id", Integer, nullable=True),
    Column("number", String(32), nullable=False),
    Column("answers", json_type(), nullable=False),  # step id -> answer, along the path
    Column("path", json_type(), nullable=False),  # step ids answered, in order
    Column("complete", Boolean, nullable=False),
    Column("outcome", String(32), nullable=True),  # suggested by the end reached
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint(
        "company_id", "call_id", "user_id", "call_started_at", name="uq_script_answers_call"
    ),
    Index("ix_script_answers_company_id_updated_at", "company_id", "updated_at"),
)
