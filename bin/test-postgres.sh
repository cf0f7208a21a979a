#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks: Debian's own server binaries, a fresh
# data directory, reachable only through a Unix socket inside that directory (no TCP listener),
# trust authentication for that socket (the directory is the access control: mode 0700 or owned by
# the server's user). Run as a non-root user; as root it runs the server as Debian's `postgres`.
#
#   bin/test-postgres.sh start DIR   start (initdb first when DIR is new); prints the URL
#   bin/test-postgres.sh stop DIR    fast shutdown (the data directory is left for the caller)
#   bin/test-postgres.sh url DIR     the URL of a server started in DIR
set -euo pipefail
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|url DIR" >&2; exit 2; }
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/pg_ctl" ] || { echo "test-postgres: no PostgreSQL server binaries under /usr/lib/postgresql (bin/ensure-deps.sh installs Debian's postgresql)" >&2; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
url() { printf 'postgresql://lvsconsole@/lvsconsole?host=%s\n' "$(cd "$dir" && pwd)/run"; }
case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner mkdir -p "$dir/data" "$dir/run"
      as_owner "$bindir/initdb" -D "$dir/data" -U lvsconsole --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    # fsync off: a test database is thrown away; never for a console's real store.
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses= -c unix_socket_directories=$(cd "$dir" && pwd)/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    if ! as_owner "$bindir/psql" -h "$(cd "$dir" && pwd)/run" -U lvsconsole -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = 'lvsconsole'" | grep -q 1; then
      as_owner "$bindir/createdb" -h "$(cd "$dir" && pwd)/run" -U lvsconsole lvsconsole
    fi
    url ;;
  stop) [ -f "$dir/data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; true ;;
  url) url ;;
  *) echo "usage: $0 start|stop|url DIR" >&2; exit 2 ;;
esac
