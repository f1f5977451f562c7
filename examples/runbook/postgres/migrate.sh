#!/usr/bin/env bash
# A minimal PostgreSQL migration tool with real rollbacks, for Rewind's runbook driver.
#
#   migrate.sh up                 apply every migration not yet applied, oldest first
#   migrate.sh down-to <version>  roll back every applied migration newer than <version>, newest first
#   migrate.sh status             list applied migrations, newest first
#
# Migrations live in ./migrations as <version>.up.sql / <version>.down.sql, where <version> is
# YYYYMMDD_name. Each one runs in its own transaction together with its schema_migrations row, so
# a failing migration leaves nothing half-done. The connection comes from DATABASE_URL (the
# catalog maps it from a worker variable; Rewind redacts its value from the output).
set -euo pipefail

cd "$(dirname "$0")"
: "${DATABASE_URL:?DATABASE_URL is not set: map it in the catalog step env}"
VERSION_RE='^[0-9]{8}_[A-Za-z0-9_]+$'

export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" "$@"; }

psql_ -c 'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())'

applied() { psql_ -At -c 'SELECT version FROM schema_migrations ORDER BY version DESC'; }

# Runs one SQL file and records (or forgets) its version, in one transaction. The version reaches
# SQL only as a psql variable quoted with :'v', never spliced into the statement text.
run_in_tx() {
  local file=$1 version=$2 record=$3
  { echo 'BEGIN;'; cat "$file"; echo "$record"; echo 'COMMIT;'; } | psql_ -v v="$version"
}

case "${1:-}" in
  up)
    done_list=$(applied)
    for file in migrations/*.up.sql; do
      version=$(basename "$file" .up.sql)
      grep -qx "$version" <<<"$done_list" && continue
      echo "applying $version"
      run_in_tx "$file" "$version" "INSERT INTO schema_migrations (version) VALUES (:'v');"
    done
    echo "up to date: $(applied | head -n1)"
    ;;
  down-to)
    target=${2:-}
    [[ $target =~ $VERSION_RE ]] || { echo "down-to needs a version like 20260120_create_users, got '$target'" >&2; exit 2; }
    [[ -f migrations/$target.up.sql ]] || { echo "no migration $target in $(pwd)/migrations" >&2; exit 2; }
    list=$(applied)
    grep -qx "$target" <<<"$list" || { echo "$target is not applied; applied: $(tr '\n' ' ' <<<"$list")" >&2; exit 2; }
    while read -r version; do
      [[ -z $version || $version < $target || $version == "$target" ]] && continue
      [[ -f migrations/$version.down.sql ]] || { echo "no down migration for $version: roll it back by hand" >&2; exit 3; }
      echo "rolling back $version"
      run_in_tx "migrations/$version.down.sql" "$version" "DELETE FROM schema_migrations WHERE version = :'v';"
    done <<<"$list"
    echo "now at $(applied | head -n1)"
    ;;
  status)
    applied
    ;;
  *)
    echo "usage: migrate.sh up | down-to <version> | status" >&2
    exit 2
    ;;
esac
