#!/usr/bin/env bash
# Regenerates fixtures/sample.wav: 4.5 s of French speech, 16 kHz mono 16-bit PCM.
# Needs Debian's espeak-ng and sox (apt-get install espeak-ng sox). The WAV is committed,
# so users need neither tool; this script only documents how it was made.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
text="Bonjour, je suis un auto-encodeur, j'apprends à compresser ta voix."
espeak-ng -v fr -s 150 -p 45 -w "$tmp/speech.wav" "$text"
# Resample to the course's format, normalise to -3 dBFS, then pad/trim to exactly 4.5 s.
# -D: no dither, so the file is the same on every run.
sox -D "$tmp/speech.wav" -r 16000 -c 1 -b 16 -e signed-integer "$tmp/s16.wav" norm -3 pad 0.05 1
sox -D "$tmp/s16.wav" fixtures/sample.wav trim 0 4.5
soxi fixtures/sample.wav
