
# Document names (any script), from `vellum complete-docs` on the store the
# command line gives with --store.
function __vellum_docs
    set -l args (commandline -opc)
    set -l store
    for i in (seq (count $args))
        switch $args[$i]
            case --store
                set store --store $args[(math $i + 1)]
            case '--store=*'
                set store $args[$i]
        end
    end
    vellum $store complete-docs 2>/dev/null
end
