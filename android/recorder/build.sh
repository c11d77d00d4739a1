#!/bin/sh
# Assembles src/**/*.smali into dlaudio-recorder.dex (or into the path given as $1).
# Needs Debian's smali (package libsmali-java). The built .dex is committed and
# shipped; test/recorder-dex.test.ts checks a rebuild is byte-identical.
#   --api 21: dex format 035, loadable by every Android the CLI may meet, so that
#             an old phone gets "ERROR UNSUPPORTED_ANDROID" rather than a load failure.
#   -j 1:     smali's output changes with its number of threads; one thread is reproducible.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/dlaudio-recorder.dex"}
if ! command -v smali >/dev/null 2>&1; then
  echo "build:recorder: smali not found; install it with: apt-get install libsmali-java" >&2
  exit 1
fi
tmp="$out.$$.tmp"
trap 'rm -f "$tmp"' EXIT
smali assemble --api 21 -j 1 -o "$tmp" "$here/src"
mv "$tmp" "$out"
