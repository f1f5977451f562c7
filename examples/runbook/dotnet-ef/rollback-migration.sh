#!/usr/bin/env bash
# DistroCV "Migration Rollback": move the database back to an earlier EF Core migration.
#
#   rollback-migration.sh <migration>     e.g. 20260121_PreviousMigrationName
#
# Rewind passes <migration> as one argv element after checking it against the catalog's pattern;
# this script checks it again. The connection string comes from DATABASE_CONNECTION_STRING, which
# the catalog maps from a worker variable (its value is redacted from the output Rewind posts).
# Run from the repository root (the step's cwd), with the dotnet-ef tool restored.
set -euo pipefail

migration=${1:?usage: rollback-migration.sh <migration>}
[[ $migration =~ ^[0-9]{8}_[A-Za-z0-9_]+$ ]] || { echo "not a migration name: $migration" >&2; exit 2; }
: "${DATABASE_CONNECTION_STRING:?map DATABASE_CONNECTION_STRING in the catalog step env}"

echo "current migrations (newest last):"
dotnet ef migrations list --project src/DistroCv.Infrastructure --startup-project src/DistroCv.Api --no-build | tail -n 5

dotnet ef database update "$migration" \
  --project src/DistroCv.Infrastructure \
  --startup-project src/DistroCv.Api \
  --connection "$DATABASE_CONNECTION_STRING"

# Verify: the newest applied migration must now be the requested one.
latest=$(psql "$DATABASE_CONNECTION_STRING" -XAt -c 'SELECT "MigrationId" FROM "__EFMigrationsHistory" ORDER BY "MigrationId" DESC LIMIT 1')
echo "latest applied migration: $latest"
[[ $latest == "$migration" ]] || { echo "expected $migration to be the latest applied migration" >&2; exit 1; }
