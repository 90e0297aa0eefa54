#!/bin/sh
# The image's entrypoint: `digest-entrypoint digest-bot run` (or worker, status, ...).
#
# /data must be writable by the unprivileged user `digest` (uid 10001): the SQLite
# database and the output folder live there. A named volume is (the image's /data is
# digest's), but a bind mount (`-v ./data:/data`) arrives owned by the host's root. So the
# container starts as root, hands /data to digest, and runs the command as digest through
# setpriv (util-linux, in python:3.11-slim), as the official postgres image does with
# gosu. Started as another user (`--user`, Kubernetes' runAsUser) it changes no owner;
# an unwritable /data is then one line saying what to do, and a configuration error.
#
# A configuration error is exit 2, digest-bot's "the settings cannot work" (no chat
# token, a refused token, a bad value). Restarting changes nothing, yet `restart:
# unless-stopped` would restart it forever, while a bounded `on-failure:N` would not bring
# the bot back after a reboot or a Docker upgrade (SIGTERM makes it exit 0), nor after N
# database outages. So with ON_CONFIG_ERROR=park (docker-compose.yml sets it) `run` and
# `worker` park instead: the error stays the last lines of the log, and nothing restarts
# until the settings change (`docker compose up -d` recreates the container) or it is
# restarted by hand. Other exits (1: the database or a chat service unreachable) go to the
# restart policy; one-off commands (status, ...) and plain `docker run` just exit 2.
#
# DATA_DIR (default /data) is for the tests. `docker exec ... digest-bot` goes through
# docker/digest-bot instead, which runs it as digest likewise.
set -eu

data="${DATA_DIR:-/data}"
uid=10001  # the image's `digest` (Dockerfile)
command="$*"
subcommand="${2:-}"

# Exit 2, or with ON_CONFIG_ERROR=park (a service's run or worker) stay up doing nothing.
configuration_error() {
    case "${ON_CONFIG_ERROR:-exit}:$subcommand" in
        park:run | park:worker) ;;
        *) exit 2 ;;
    esac
    # The sleep starts first and holds no pipe, so a stop at any moment leaves nothing
    # running that keeps the log open; the trap is set before the line announcing it.
    sleep 3600 >/dev/null 2>&1 &
    sleeper=$!
    trap 'kill "$sleeper" 2>/dev/null; exit 2' TERM INT
    echo "digest-entrypoint: $1; parked, not restarting: fix it, then docker compose up -d (or restart the container)" >&2
    while :; do
        wait "$sleeper" || true
        sleep 3600 >/dev/null 2>&1 &
        sleeper=$!
    done
}

as_digest() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all -- "$@"
    else
        "$@"
    fi
}

if [ "$(id -u)" = 0 ] && [ -d "$data" ]; then
    # Only what is not digest's yet: nothing to do on every start after the first. -h: a
    # symbolic link planted in /data is chowned itself, never the root-owned file it names.
    find "$data" ! -user "$uid" -exec chown -h "$uid:$uid" {} + 2>/dev/null || true
    HOME="$(getent passwd "$uid" | cut -d: -f6)" || true
    export HOME="${HOME:-/tmp}"
fi
if [ -d "$data" ] && ! as_digest test -w "$data"; then
    runs_as=$(if [ "$(id -u)" = 0 ]; then echo "$uid"; else id -u; fi)
    echo "digest-entrypoint: $data is not writable by uid $runs_as (read-only, or an owner root cannot change, as on NFS): chown it to uid $uid on the host, or use a named volume" >&2
    configuration_error "$data is not writable"
fi

# The command runs as a child, not exec'd, so that its exit status can be read. SIGTERM
# and SIGINT (docker stop, Ctrl-C) are passed on as SIGTERM: digest-bot stops the same
# way for both, and a background child of sh starts with SIGINT ignored.
if [ "$(id -u)" = 0 ]; then
    set -- setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all -- "$@"
fi
exec 3<&0
"$@" <&3 3<&- &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
status=0
wait "$child" || status=$?
# A trapped signal ends `wait` early (status > 128) while the child is still stopping.
while kill -0 "$child" 2>/dev/null; do
    status=0
    wait "$child" || status=$?
done
trap - TERM INT
if [ "$status" = 2 ]; then
    configuration_error "'$command' exited 2, a configuration error (the lines above say which)"
fi
exit "$status"
