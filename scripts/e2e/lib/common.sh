# shellcheck shell=bash
# Logging, tool checks and bounded waits for scripts/e2e/cluster.sh.

log() {
  printf '\n== %s %s\n' "$(date -u +%H:%M:%S)" "$*"
}

die() {
  printf 'e2e: %s\n' "$*" >&2
  exit 1
}

# Fails with the list of missing commands, before anything is created.
require_commands() {
  local missing=() command
  for command in "$@"; do
    command -v "${command}" >/dev/null 2>&1 || missing+=("${command}")
  done
  ((${#missing[@]} == 0)) || die "missing: ${missing[*]} (see README, \"Prove it in a cluster\")"
}

# wait_until SECONDS DESCRIPTION COMMAND...: runs COMMAND every 2 s until it succeeds; fails
# once SECONDS have passed. Never waits unbounded.
wait_until() {
  local seconds="$1" description="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      printf 'e2e: gave up after %s s waiting for %s\n' "${seconds}" "${description}" >&2
      return 1
    fi
    sleep 2
  done
}
