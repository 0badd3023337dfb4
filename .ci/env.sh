# Sourced by the .ci scripts: tool paths. npm's binaryen must come before any
# Debian binaryen on PATH (Debian's v108 wasm-opt breaks hydration).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# On a throw-away CI clone incremental caches only cost disk (tens of GB for
# this workspace); keep them for local edit-compile loops.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi
