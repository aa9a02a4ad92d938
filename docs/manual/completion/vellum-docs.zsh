
# Document names (any script), from `vellum complete-docs` on the store the
# command line gives with --store.
_vellum_docs() {
    local -a words_all store docs
    local i
    words_all=(${(z)BUFFER})
    for ((i = 1; i <= ${#words_all}; i++)); do
        case ${words_all[i]} in
            --store) store=(--store ${(Q)words_all[i+1]}) ;;
            --store=*) store=(${(Q)words_all[i]}) ;;
        esac
    done
    docs=(${(f)"$(vellum $store complete-docs 2>/dev/null)"})
    compadd -a docs
}
_vellum_docs_or_files() {
    _vellum_docs
    _files
}
