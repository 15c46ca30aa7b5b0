#!/usr/bin/env bash
# Job-started hook for the self-hosted GPU runner: refuses, before any step runs, every job
# that is not this repository's own code in its Pages workflow (the only one with a GPU job),
# started by a push to main or a manual run. A fork's pull request
# can edit the workflow files; it cannot edit this script, which lives on the runner machine.
#
# Install (on the runner machine, outside the runner's folder):
#   sudo install -D -m 755 .github/runner/job-started.sh /opt/course-runner/job-started.sh
#   echo OWNER/REPOSITORY | sudo tee /etc/course-runner/trusted      # this repository
#   echo ACTIONS_RUNNER_HOOK_JOB_STARTED=/opt/course-runner/job-started.sh >> ~runner/actions-runner/.env
#   (then restart the runner service). A non-zero exit fails the job before it starts.
# The optional first argument names another trusted-repository file (the tests use it).
set -euo pipefail

trusted_file="${1:-/etc/course-runner/trusted}"
workflows=(.github/workflows/pages.yml)
refuse() { echo "::error::GPU runner refuses this job: $*"; exit 1; }

[ -r "$trusted_file" ] || refuse "no trusted repository configured ($trusted_file)"
trusted=$(head -n 1 "$trusted_file" | tr -d '[:space:]')

[ "${GITHUB_REPOSITORY:-}" = "$trusted" ] || refuse "repository ${GITHUB_REPOSITORY:-?} is not $trusted"

allowed=0
for workflow in "${workflows[@]}"; do
  case "${GITHUB_WORKFLOW_REF:-}" in "$trusted/$workflow@"*) allowed=1 ;; esac
done
[ "$allowed" = 1 ] || refuse "workflow ${GITHUB_WORKFLOW_REF:-?} may not use this runner"

case "${GITHUB_EVENT_NAME:-}" in
  push | workflow_dispatch) ;;
  *) refuse "event ${GITHUB_EVENT_NAME:-?} may not use this runner" ;;
esac
case "${GITHUB_REF:-}" in
  refs/heads/main) ;;
  *) refuse "ref ${GITHUB_REF:-?} is not refs/heads/main" ;;
esac
echo "GPU runner: ${GITHUB_EVENT_NAME} of $trusted (${GITHUB_WORKFLOW_REF}) accepted"
