#!/bin/bash
# Build and install the extension.  With -Werror, warnings fail the build.
set -euo pipefail
cd "$(dirname "$0")/.."

copt=
[ "${1:-}" = "-Werror" ] && copt=-Werror

sudo=
[ "$(id -u)" -ne 0 ] && sudo=sudo

make -s clean >/dev/null
make -s COPT="$copt"
$sudo make -s install COPT="$copt" >/dev/null
echo "build: modelgov built${copt:+ with $copt} and installed"
