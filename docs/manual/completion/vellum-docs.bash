
# Document names, for the arguments that take a document (any script; from
# `vellum complete-docs`, on the store given with --store).
_vellum_with_docs() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    local i cmd="" valopts="" store=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            --store) store=(--store "${COMP_WORDS[i+1]}"); i=$((i + 1)) ;;
            --store=*) store=("${COMP_WORDS[i]}") ;;
            --color|--palette) [[ -z "$cmd" ]] && i=$((i + 1)) ;;
            -*) ;;
            *) [[ -z "$cmd" ]] && cmd="${COMP_WORDS[i]}" ;;
        esac
    done
    _vellum "$@"
    case "$cmd" in
@CASES@        *) return 0 ;;
    esac
    [[ "$cur" == -* ]] && return 0
    if [[ "$cmd" == search ]]; then
        [[ "$prev" == --doc ]] || return 0
    elif [[ "$valopts" == *" $prev "* ]]; then
        return 0
    fi
    local IFS=$'\n'
    COMPREPLY+=($(compgen -W "$(vellum "${store[@]}" complete-docs 2>/dev/null)" -- "$cur"))
}
complete -F _vellum_with_docs -o nosort -o bashdefault -o default vellum
