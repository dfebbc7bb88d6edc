# bash completion for deskext(1). Works with or without the bash-completion package.

_deskext_commands="install update uninstall rm verify ls inspect validate export cache version help"
_deskext_platforms="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"

# The options each command takes (the command table of runtime/cli/main.cpp).
_deskext_options() {
    case "$1" in
        install | update)
            echo "--platform --root --name --json --allow-emulation --force --strict --wait" \
                "--insecure-registry --registries-conf --timeout --max-uncompressed-size" \
                "--max-ratio" \
                "--max-entries --max-names-size" ;;
        uninstall | rm | verify) echo "--root --json --wait" ;;
        ls) echo "--root --json" ;;
        inspect)
            echo "--platform --all-platforms --json --insecure-registry --registries-conf" \
                "--timeout" ;;
        validate) echo "--json --insecure-registry --registries-conf --timeout" ;;
        export)
            echo "--output --platform --json --insecure-registry --registries-conf" \
                "--timeout" ;;
        cache) echo "--root --json --all --wait" ;;
        version) echo "--json" ;;
    esac
}

# Installed extensions: the directories of --root, else $DESKEXT_ROOT, else the default root.
_deskext_installed() {
    local root="${DESKEXT_ROOT:-$HOME/.docker/desktop/extensions}" i
    for ((i = 2; i < ${#COMP_WORDS[@]} - 1; i++)); do
        case "${COMP_WORDS[i]}" in
            --root) root="${COMP_WORDS[i + 1]}" ;;
            --root=*) root="${COMP_WORDS[i]#--root=}" ;;
        esac
    done
    [ -d "$root" ] || return 0
    (cd "$root" && compgen -d -X '.*' -- "$2")
}

_deskext() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="" command="${COMP_WORDS[1]}"
    [ "$COMP_CWORD" -gt 0 ] && prev="${COMP_WORDS[COMP_CWORD - 1]}"
    COMPREPLY=()

    if [ "$COMP_CWORD" -le 1 ]; then
        COMPREPLY=($(compgen -W "$_deskext_commands --help --version" -- "$cur"))
        return 0
    fi

    case "$prev" in
        --platform)
            COMPREPLY=($(compgen -W "$_deskext_platforms" -- "$cur"))
            return 0 ;;
        --root)
            COMPREPLY=($(compgen -d -- "$cur"))
            return 0 ;;
        --output | --registries-conf)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0 ;;
        --name | --insecure-registry | --timeout | --max-uncompressed-size | --max-ratio | \
            --max-entries | --max-names-size)
            return 0 ;;
    esac

    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$(_deskext_options "$command") --help" -- "$cur"))
        return 0
    fi

    case "$command" in
        uninstall | rm | verify)
            COMPREPLY=($(_deskext_installed "$command" "$cur")) ;;
        cache)
            [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "ls prune" -- "$cur")) ;;
        install | update | inspect | validate | export)
            # A SOURCE: an image archive or layout, or a transport prefix.
            COMPREPLY=($(compgen -f -- "$cur") \
                $(compgen -W "oci: oci-archive: docker-archive: docker://" -- "$cur")) ;;
    esac
    return 0
}

complete -o filenames -o default -F _deskext deskext
