#!/usr/bin/env bash
# The shell completions load and complete: bash's is driven as bash drives it (COMP_WORDS,
# COMP_CWORD, then COMPREPLY); zsh's must parse and define _deskext once autoloaded.
# Usage: test_completions.sh PROJECT_SOURCE_DIR
set -euo pipefail
completions="$1/packaging/completions"
failures=0

complete_words() {  # complete_words EXPECTED WORD... : completes the last word
    local expected="$1"
    shift
    local got
    got=$(bash --norc --noprofile -c '
        source "$0"
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        _deskext
        echo "${COMPREPLY[*]}"' "$completions/deskext.bash" "$@")
    if [ "$got" != "$expected" ]; then
        echo "FAIL: completing \"$*\": expected \"$expected\", got \"$got\""
        failures=$((failures + 1))
    fi
}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir "$root/acme_ext" "$root/docker_volumes-backup-extension" "$root/.deskext-locks"

complete_words "install inspect" deskext in
complete_words "update uninstall" deskext u
complete_words "verify validate version" deskext v
complete_words "--platform" deskext install x.tar --pl
complete_words "--max-uncompressed-size --max-ratio --max-entries --max-names-size" deskext update x.tar --max
complete_words "--all-platforms" deskext inspect x.tar --a
complete_words "--output" deskext export x.tar --o
complete_words "linux/amd64 linux/arm64" deskext inspect x.tar --platform l
complete_words "acme_ext" deskext rm --root "$root" a
complete_words "acme_ext docker_volumes-backup-extension" deskext verify --root "$root" ""
complete_words "oci: oci-archive:" deskext install oci
complete_words "ls prune" deskext cache ""
complete_words "--all" deskext cache prune --a

# zsh: the completion parses, and autoloading it from fpath defines the function.
if command -v zsh >/dev/null; then
    zsh -n "$completions/_deskext" || { echo "FAIL: zsh cannot parse _deskext"; failures=$((failures + 1)); }
    zsh -f -c 'fpath=("$1" $fpath); autoload -Uz _deskext; whence -w _deskext' _ "$completions" |
        grep -q "function" || { echo "FAIL: zsh does not autoload _deskext"; failures=$((failures + 1)); }
else
    echo "FAIL: zsh is not installed (packaging/install-deps.sh installs it)"
    failures=$((failures + 1))
fi

[ "$failures" -eq 0 ] && echo "completions: all cases pass"
exit $((failures > 0))
