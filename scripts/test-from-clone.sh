#!/bin/sh
# Runs the tests from a fresh clone of the committed tree, outside this checkout, so that any file the suite
# reads from beyond the repository (a sibling folder, the caller's working directory) makes it fail.
# node_modules is hard-linked from this checkout (no network). Arguments go to vitest, e.g. `test/contract`.
set -eu
repo=$(git rev-parse --show-toplevel)
commit=$(git rev-parse HEAD)
work=$(mktemp -d "${TMPDIR:-/tmp}/jira-integration-clone-XXXXXX")
trap 'rm -rf "$work"' EXIT
git clone --quiet --no-checkout "$repo" "$work/repo"
git -C "$work/repo" checkout --quiet --detach "$commit"
for dir in node_modules backend/node_modules sandbox/node_modules shared/node_modules forge/node_modules; do
  if [ -d "$repo/$dir" ]; then cp -al "$repo/$dir" "$work/repo/$dir"; fi
done
cd "$work/repo"
echo "Testing commit $commit from $work/repo"
npx vitest run "$@"
