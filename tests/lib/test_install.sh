#!/usr/bin/env bash
# cmake --install puts commands, library, headers and profkit.pc in place, and
# a program builds against them with pkg-config alone.
set -euo pipefail
build=$1 sanitize=${2:-}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
for cmd in pconv pfilter ptop pgraph pdiff plines; do
  [ -x "$prefix/bin/$cmd" ] || { echo "missing $cmd"; exit 1; }
  # its man page, made from the option table: well-formed roff naming every
  # option --help lists
  page=$prefix/share/man/man1/$cmd.1
  [ -f "$page" ] || { echo "missing the man page of $cmd"; exit 1; }
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
  [ -z "$warnings" ] || { echo "$cmd.1: $warnings"; exit 1; }
  text=$(groff -man -Tascii -P-cbu -rLL=200n -rHY=0 "$page" 2>/dev/null)
  for option in $("$prefix/bin/$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    grep -q -- "$option" <<<"$text" || { echo "$cmd.1 lacks $option"; exit 1; }
  done
done
cat >"$prefix/use.c" <<'C'
#include <profkit/formats/format.h>
#include <stdio.h>
int main(void)
{
    pk_profile *p = pk_profile_new();
    int m = pk_add_metric(p, "samples", "samples");
    pk_id f = pk_function_get(p, "main", "app.py", 1, PK_KIND_PYTHON);
    int64_t v = 3;
    pk_tree_add_stack(p, &f, NULL, 1, &v);
    pk_derive_graph(p);
    printf("%lld\n", (long long)p->funcs[f].incl[m]);
    pk_profile_free(p);
    return 0;
}
C
flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/$(gcc -print-multiarch)/pkgconfig" \
  pkg-config --cflags --libs --static profkit)
[ -n "$sanitize" ] && flags="$flags -fsanitize=$sanitize"
# shellcheck disable=SC2086
cc -std=c11 "$prefix/use.c" $flags -o "$prefix/use"
[ "$("$prefix/use")" = 3 ] || { echo "installed library gave a wrong answer"; exit 1; }
echo "install: ok"
