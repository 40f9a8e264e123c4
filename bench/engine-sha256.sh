#!/usr/bin/env bash
# The execution engines alone, without Linux: a bare-metal SHA-256 over 32 MiB (the test program
# virt/src/test/c/programs/sha256.c, cross-compiled), run on QEMU, on jvirt's interpreter alone and
# on jvirt with its translator, alternating, 3 runs each; prints host wall-clock medians.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/virt/src/test/c/programs"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
riscv64-linux-gnu-gcc -O2 -march=rv64gc_zba_zbb_zbc_zbs -mabi=lp64d -mcmodel=medany -static -fno-pie -no-pie \
    -nostdlib -ffreestanding -fno-math-errno -DREPS=128 -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
    -T "$src/link.ld" "$src/start.S" "$src/sha256.c" -o "$out/sha256.elf"
"$root/jvirt" --version > /dev/null # build first, outside the timings

declare -A times
run() { # name command...
  local name=$1 start end
  shift
  start=$(date +%s.%N)
  "$@" < /dev/null > "$out/$name.out"
  end=$(date +%s.%N)
  times[$name]+="$(echo "$end - $start" | bc) "
}
for i in 1 2 3; do
  run qemu qemu-system-riscv64 -M virt -m 64M -nographic -bios "$out/sha256.elf"
  JVIRT_JAVA_OPTS=-Djvirt.translate.threshold=0 run interpreter "$root/jvirt" run -m 64M --bios "$out/sha256.elf"
  run translator "$root/jvirt" run -m 64M --bios "$out/sha256.elf"
done
cmp -s "$out/qemu.out" "$out/interpreter.out" && cmp -s "$out/qemu.out" "$out/translator.out" \
  || { echo "engine-sha256: outputs differ" >&2; exit 1; }
median() { tr ' ' '\n' | grep . | sort -n | sed -n 2p; }
q=$(echo "${times[qemu]}" | median)
printf '| engine | seconds | / QEMU |\n| --- | ---: | ---: |\n'
for name in qemu interpreter translator; do
  m=$(echo "${times[$name]}" | median)
  printf '| %s | %.2f | %.1f |\n' "$name" "$m" "$(echo "$m / $q" | bc -l)"
done
