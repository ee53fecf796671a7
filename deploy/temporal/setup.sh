#!/bin/sh
# Prepares a PostgreSQL-backed Temporal server for mcpflow, in two steps:
#   setup.sh schema     create both databases and bring their schemas to the newest version
#                       (idempotent: an existing database is kept and only upgraded)
#   setup.sh namespace  once the frontend answers: create the namespace and mcpflow's
#                       search attributes (idempotent too)
# docker-compose.yml runs it in the temporalio/admin-tools image; the PostgreSQL topology suite
# (test/cluster) runs the very same script with binaries built from go.temporal.io/server.
#
# Environment (compose values as defaults):
#   POSTGRES_SEEDS, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PWD, TEMPORAL_DB, TEMPORAL_VISIBILITY_DB
#   SCHEMA_DIR                  the server's schema/postgresql/v12 directory
#   TEMPORAL_SQL_TOOL           the SQL schema tool (go.temporal.io/server/cmd/tools/sql)
#   TEMPORAL_CLI                the Temporal CLI
#   TEMPORAL_ADDRESS            frontend host:port (read by the Temporal CLI itself)
#   TEMPORAL_NAMESPACE          namespace to create (default "default")
#   MCPFLOW_SEARCH_ATTRIBUTES   "Name=Type ..." (Type as the Temporal CLI spells it: Keyword, Int, KeywordList)
set -eu

: "${POSTGRES_SEEDS:=postgresql}"
: "${POSTGRES_PORT:=5432}"
: "${POSTGRES_USER:=temporal}"
: "${POSTGRES_PWD:=temporal}"
: "${TEMPORAL_DB:=temporal}"
: "${TEMPORAL_VISIBILITY_DB:=temporal_visibility}"
: "${SCHEMA_DIR:=/etc/temporal/schema/postgresql/v12}"
: "${TEMPORAL_SQL_TOOL:=temporal-sql-tool}"
: "${TEMPORAL_CLI:=temporal}"
: "${TEMPORAL_NAMESPACE:=default}"
: "${MCPFLOW_SEARCH_ATTRIBUTES:=}"

sql_tool() {
  # The password goes through the tool's environment variable, not the command line (ps).
  SQL_PASSWORD="$POSTGRES_PWD" "$TEMPORAL_SQL_TOOL" --plugin postgres12 --endpoint "$POSTGRES_SEEDS" \
    --port "$POSTGRES_PORT" --user "$POSTGRES_USER" "$@"
}

setup_schema() {
  for pair in "$TEMPORAL_DB:temporal" "$TEMPORAL_VISIBILITY_DB:visibility"; do
    db=${pair%%:*}
    dir=${pair##*:}
    echo "setup: database $db (schema $dir)"
    # create-database fails on an existing database; that is the idempotent case.
    sql_tool --db "$db" create-database >/dev/null 2>&1 || echo "setup: database $db exists"
    sql_tool --db "$db" setup-schema -v 0.0
    sql_tool --db "$db" update-schema -d "$SCHEMA_DIR/$dir/versioned"
  done
}

setup_namespace() {
  tries=0
  until "$TEMPORAL_CLI" operator cluster health 2>/dev/null | grep -q SERVING; do
    tries=$((tries + 1))
    if [ "$tries" -ge 120 ]; then
      echo "setup: the Temporal frontend at ${TEMPORAL_ADDRESS:-127.0.0.1:7233} did not become healthy in 120 s" >&2
      exit 1
    fi
    sleep 1
  done
  if ! "$TEMPORAL_CLI" operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
    "$TEMPORAL_CLI" operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention 72h
  fi
  # A new namespace reaches every frontend's cache within seconds: wait until it is usable.
  tries=0
  until "$TEMPORAL_CLI" operator search-attribute list --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -ge 60 ] && { echo "setup: namespace $TEMPORAL_NAMESPACE is not usable after 60 s" >&2; exit 1; }
    sleep 1
  done
  existing=$("$TEMPORAL_CLI" operator search-attribute list --namespace "$TEMPORAL_NAMESPACE")
  for attr in $MCPFLOW_SEARCH_ATTRIBUTES; do
    name=${attr%%=*}
    type=${attr##*=}
    if printf '%s\n' "$existing" | grep -qw "$name"; then
      echo "setup: search attribute $name exists"
    else
      "$TEMPORAL_CLI" operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type "$type"
    fi
  done
  echo "setup: namespace $TEMPORAL_NAMESPACE ready"
}

case "${1:-}" in
  schema) setup_schema ;;
  namespace) setup_namespace ;;
  *) echo "usage: $0 schema|namespace" >&2; exit 2 ;;
esac
