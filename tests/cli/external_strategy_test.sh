#!/usr/bin/env bash
# examples/external_strategy built as a user builds it: `cmake --install` of this build into a
# temporary prefix, the example copied to a clean directory outside the tree and configured with
# find_package(tandem) from that prefix alone, its own test run, and its strategy run both ways —
# as a plugin of the installed `tandem` and as the project's own executable — with the same
# figures (docs/strategies.md, "C++ strategies outside the tree").
# Usage: external_strategy_test.sh BUILD_DIR SOURCE_DIR CXX_COMPILER
set -euo pipefail
build=$1
source=$2
compiler=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "external_strategy_test: $*" >&2; exit 1; }

cmake --install "$build" --component dev --prefix "$prefix" >/dev/null
cmake --install "$build" --component cli --prefix "$prefix" >/dev/null
[ -f "$prefix/lib/cmake/tandem/tandemConfig.cmake" ] || fail "no tandemConfig.cmake installed"
if grep -rq "$source" "$prefix/lib/cmake/tandem"; then
  fail "the installed package names the source tree: $(grep -rl "$source" "$prefix/lib/cmake/tandem")"
fi
# Each public header compiles on its own from the installed tree: none includes a header that
# was not installed.
while IFS= read -r header; do
  printf '#include "%s"\n' "$header" |
    "$compiler" -std=c++20 -fsyntax-only -Wall -Wextra -Werror -I"$prefix/include/tandem" -x c++ - \
    || fail "installed header $header does not compile on its own"
done < <(cd "$prefix/include/tandem" && find . -name '*.h' | sed 's|^\./||' | sort)

cp -r "$source/examples/external_strategy" "$work/project"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$work/project" -B "$work/project/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_PREFIX_PATH="$prefix" "${launcher[@]}" >/dev/null \
  || fail "configuring the project against $prefix failed"
cmake --build "$work/project/build" -j2 >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "build failed"; }
ctest --test-dir "$work/project/build" --output-on-failure || fail "the project's own test failed"

store="lmdb://$work/store"
"$prefix/bin/tandem" --store "$store" data sample --symbols SPY >/dev/null
run=(backtest --strategy momentum --symbols SPY --weight SPY=1 --param lookback=50)
plugin_out=$("$prefix/bin/tandem" --store "$store" "${run[@]}" \
  --plugin "$work/project/build/libmomentum_plugin.so") || fail "the plugin run failed"
own_out=$("$work/project/build/my_tandem" --store "$store" "${run[@]}") \
  || fail "my_tandem's run failed"
figures() { sed -n '/^strategies$/,/^commissions/p' <<<"$1"; }
grep -q "momentum" <<<"$(figures "$plugin_out")" || fail "no momentum line in: $plugin_out"
grep -Eq '^trades +[1-9][0-9]* round trips' <<<"$plugin_out" || fail "no trades in: $plugin_out"
[ "$(figures "$plugin_out")" = "$(figures "$own_out")" ] \
  || fail "plugin and own executable differ:"$'\n'"$plugin_out"$'\n---\n'"$own_out"
# The installed tandem without the plugin does not know the strategy, and says what it knows.
if err=$("$prefix/bin/tandem" --store "$store" "${run[@]}" 2>&1); then fail "momentum ran without --plugin"; fi
grep -q "unknown strategy 'momentum'; registered: sma_cross" <<<"$err" || fail "unexpected error: $err"
echo "external_strategy_test: ok"
