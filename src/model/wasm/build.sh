#!/bin/sh
# Builds kernel.wasm from kernel.c (needs Debian's clang and lld; `npm run build:wasm`).
# The .wasm is committed so that `npm run build` and users need neither.
# Usage: build.sh [output.wasm]   (default: kernel.wasm beside this script)
set -eu
dir=$(dirname "$0")
out=${1:-$dir/kernel.wasm}
# --strip-all drops names and the producers section (compiler version), so rebuilds are byte-identical
# wherever the code generator is; the stack the C runtime reserves is unused, so none is kept.
clang --target=wasm32 -O3 -msimd128 -nostdlib -ffreestanding \
  -Wl,--no-entry -Wl,--export=__heap_base -Wl,--strip-all -Wl,-z,stack-size=0 \
  -o "$out" "$dir/kernel.c"
chmod 644 "$out" # the linker marks it executable; it is data
