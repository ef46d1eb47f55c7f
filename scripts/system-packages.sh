#!/bin/sh
# System packages the tests and the trainer's grading need, from Debian/Ubuntu's archive:
#   bubblewrap  - the sandbox trainee code runs in while it is graded (grading/sandbox.py)
#   postgresql  - the tests start their own server to check the PostgreSQL gradebook
#   chromium    - the browser tests drive it with Playwright (never Playwright's download)
# Trainees opening the course need none of them. Installs only what is missing.
set -eu
need=""
command -v bwrap >/dev/null 2>&1 || need="$need bubblewrap"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$need postgresql"
[ -x /usr/bin/chromium ] || need="$need chromium"
command -v prlimit >/dev/null 2>&1 || need="$need util-linux"
[ -z "$need" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing system packages:$need (install them with your system's package manager)" >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing system packages:$need"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >/dev/null \
    || { $sudo apt-get update -q >/dev/null && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >/dev/null; }
# the Debian package starts a cluster of its own; the tests start theirs, so stop it
if command -v pg_lsclusters >/dev/null 2>&1; then
    $sudo pg_ctlcluster --force "$(ls /usr/lib/postgresql | tail -1)" main stop 2>/dev/null || true
fi
