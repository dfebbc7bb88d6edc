# Sourced by the set-up scripts: `missing_packages NAME...` prints the Debian packages among NAME
# that are not installed, one a line. A name without an architecture means the machine's own
# architecture (or `all`): an arm64 twin installed by packaging/cross-build.sh does not count.
missing_packages() {
    local native p arch
    native=$(dpkg --print-architecture)
    for p in "$@"; do
        arch=$native
        case "$p" in *:*) arch=${p##*:} ;; esac
        dpkg-query -W -f='${Status} ${Architecture}\n' "${p%%:*}" 2>/dev/null |
            grep -qE "^install ok installed ($arch|all)\$" || echo "$p"
    done
}
