#!/bin/sh
# Builds kernel.wasm (the course's fused SGD) from kernel.c and backprop.wasm (the general
# back-propagation) from backprop.c; needs Debian's clang and lld (`npm run build:wasm`).
# The .wasm files are committed so that `npm run build` and users need neither.
# Usage: build.sh [output-directory]   (default: this script's directory)
set -eu
dir=$(dirname "$0")
out=${1:-$dir}
for name in kernel backprop; do
  # --strip-all drops names and the producers section (compiler version), so rebuilds are byte-identical
  # wherever the code generator is; the stack the C runtime reserves is unused, so none is kept.
  clang --target=wasm32 -O3 -msimd128 -nostdlib -ffreestanding \
    -Wl,--no-entry -Wl,--export=__heap_base -Wl,--strip-all -Wl,-z,stack-size=0 \
    -o "$out/$name.wasm" "$dir/$name.c"
  chmod 644 "$out/$name.wasm" # the linker marks it executable; it is data
done
