#!/usr/bin/env bash
# `cmake --install` of the cli component puts the binary, its man pages and its bash completion
# in place, and the completion completes words in a bash subshell (docs/cli.md).
# Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --component cli --prefix "$prefix" >/dev/null

fail() { echo "install_test: $*" >&2; exit 1; }
[ -x "$prefix/bin/tandem" ] || fail "bin/tandem not installed"
for page in tandem tandem-store tandem-live tandem-backtest tandem-config; do
  [ -s "$prefix/share/man/man1/$page.1" ] || fail "man page $page.1 not installed"
done
grep -q '^\.TH TANDEM' "$prefix/share/man/man1/tandem.1" || fail "tandem.1 has no .TH header"
grep -q 'unknown\|store' "$prefix/share/man/man1/tandem-store.1" || fail "tandem-store.1 lacks the store help"
if grep -q "$build" "$prefix/share/man/man1/tandem.1"; then fail "tandem.1 names the build path"; fi

completion="$prefix/share/bash-completion/completions/tandem"
[ -s "$completion" ] || fail "bash completion not installed"
complete_words() {  # the words bash offers after "$@"
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _tandem;
           printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$@"
}
[ "$(complete_words tandem sto)" = "store" ] || fail "tandem sto -> '$(complete_words tandem sto)'"
[ "$(complete_words tandem store sym)" = "symbols" ] || fail "tandem store sym"
[ "$(complete_words tandem --store x store re)" = "read
replay-spill" ] || fail "tandem --store x store re -> '$(complete_words tandem --store x store re)'"
[ "$(complete_words tandem backtest --stra)" = "--strategy" ] || fail "tandem backtest --stra"
[ "$(complete_words tandem config sh)" = "show" ] || fail "tandem config sh"
[ -z "$(complete_words tandem compl)" ] || fail "the hidden completion command is offered"
echo "install_test: ok"
