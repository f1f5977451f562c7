#!/usr/bin/env bash
# DistroCV "Infrastructure Rollback (Terraform)": restore a previous version of the state file
# from the versioned S3 state bucket, then apply so the infrastructure matches it again.
#
#   restore-state.sh <s3-version-id>
#
# The step's cwd must be a checkout of the Terraform configuration that matches that state (the
# previous release's tag): applying today's configuration over yesterday's state would simply
# re-create today's infrastructure. TF_STATE_BUCKET and TF_STATE_KEY come from the catalog env;
# AWS credentials come from the worker's role (map AWS_* variables in the catalog if needed).
# List candidate versions with:
#   aws s3api list-object-versions --bucket "$TF_STATE_BUCKET" --prefix "$TF_STATE_KEY" \
#     --query 'Versions[0:5].[VersionId,LastModified]'
set -euo pipefail

version=${1:?usage: restore-state.sh <s3-version-id>}
[[ $version =~ ^[A-Za-z0-9._-]{1,1024}$ ]] || { echo "not an S3 version id: $version" >&2; exit 2; }
: "${TF_STATE_BUCKET:?map TF_STATE_BUCKET in the catalog step env}"
: "${TF_STATE_KEY:?map TF_STATE_KEY in the catalog step env}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

aws s3api get-object --bucket "$TF_STATE_BUCKET" --key "$TF_STATE_KEY" --version-id "$version" "$work/previous.tfstate" >/dev/null
echo "fetched state version $version ($(wc -c <"$work/previous.tfstate") bytes)"

terraform init -input=false -no-color >/dev/null
# Keep the current state next to the run so this rollback can itself be undone.
terraform state pull >"terraform.tfstate.before-rollback-$(date -u +%Y%m%dT%H%M%SZ)"
terraform state push -force "$work/previous.tfstate"

terraform plan -input=false -no-color -lock-timeout=5m -out="$work/rollback.tfplan"
terraform apply -input=false -no-color -lock-timeout=5m "$work/rollback.tfplan"
