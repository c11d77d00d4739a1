#!/usr/bin/env bash
# Regenerates fixtures/sample.wav: 5.0 s (the course's 500 frames of 160 samples), 16 kHz mono
# 16-bit PCM, made to start like a real take on a phone: room noise from the first sample (no
# digital silence anywhere: a frame of zeros teaches the network nothing), then 4 s of French
# speech from 0.35 s, then room noise to the end.
# Needs Debian's espeak-ng and sox (apt-get install espeak-ng sox). The WAV is committed, so users
# need neither tool; this script documents how it was made (espeak-ng 1.51, SoX 14.4.2).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
text="Bonjour, je suis un auto-encodeur, j'apprends à compresser ta voix."
espeak-ng -v fr -s 150 -p 45 -w "$tmp/speech.wav" "$text"
# -R: sox seeds its random generators with a fixed number (the noise is the same on every run);
# -D: no dither.
# The speech in the course's format, its leading and trailing silence cut, then 0.35 s of lead-in.
sox -R -D "$tmp/speech.wav" -r 16000 -c 1 -b 16 -e signed-integer "$tmp/s16.wav" norm -3 \
  silence 1 0.01 0.1% reverse silence 1 0.01 0.1% reverse pad 0.35 0
# Room noise: pink noise, band-limited like a phone's microphone, about -56 dBFS RMS.
sox -R -n -r 16000 -c 1 -b 16 "$tmp/noise.wav" synth 5 pinknoise vol 0.01 highpass 80 lowpass 7000
# Speech over the noise (-v 1: no automatic halving of the mix), exactly 5.0 s, peak -3 dBFS.
sox -R -m -v 1 "$tmp/s16.wav" -v 1 "$tmp/noise.wav" "$tmp/mix.wav" trim 0 5
sox -R -D "$tmp/mix.wav" -b 16 fixtures/sample.wav norm -3
soxi fixtures/sample.wav
