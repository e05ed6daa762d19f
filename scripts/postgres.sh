#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder of its own, for the demo and the tests.
#
#   scripts/postgres.sh start DIR   initdb into DIR/data if it has none, start the server on a
#                                   Unix socket in DIR and a loopback port (the one it had
#                                   before when that is free, so its URL stays), print its URL
#   scripts/postgres.sh stop DIR    stop it (fast: open transactions roll back)
#   scripts/postgres.sh restart DIR a fast restart on the same port (a fault drill's)
#
# The server runs as the user `postgres` when this runs as root (PostgreSQL refuses root),
# else as the caller. Authentication is `trust`, for connections from this machine only:
# the cluster is a private one, listening on 127.0.0.1 and a socket in DIR.
set -euo pipefail

command=${1:?usage: scripts/postgres.sh start|stop|restart DIR}
dir=${2:?usage: scripts/postgres.sh start|stop|restart DIR}
bin=$(pg_config --bindir)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
start)
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        # The server must reach DIR: let it pass through each parent folder (x only).
        parent=$(dirname "$dir")
        while [ "$parent" != "/" ]; do chmod o+x "$parent"; parent=$(dirname "$parent"); done
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_owner "$bin/initdb" -D "$dir/data" -U notely -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
            { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$dir/data" stop -m fast >/dev/null
    fi
    port=$(python3 - "$dir/port" <<'PY'
import socket, sys
def free(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return s.getsockname()[1]
    except OSError:
        return None
    finally:
        s.close()
try:
    before = int(open(sys.argv[1]).read())
except (OSError, ValueError):
    before = None
print((before and free(before)) or free(0))
PY
)
    echo "$port" >"$dir/port"
    # max_connections: each notely process pools up to 70 connections (a growth holds one per
    # old shard at once), and a rollout runs two proxies beside the parent.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400" start >/dev/null ||
        { tail -20 "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/psql" -h "$dir" -p "$port" -U notely -d postgres -qtAc \
        "SELECT 1 FROM pg_database WHERE datname = 'notely'" | grep -q 1 ||
        as_owner "$bin/createdb" -h "$dir" -p "$port" -U notely notely
    echo "postgres://notely@127.0.0.1:$port/notely"
    ;;
restart)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" restart -m fast -w -t 60 >/dev/null
    ;;
stop)
    if [ -f "$dir/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$dir/data" stop -m fast -w >/dev/null
    fi
    ;;
*)
    echo "usage: scripts/postgres.sh start|stop|restart DIR" >&2
    exit 2
    ;;
esac
