# bash completion for xfer. The commands and options are read from xfer's own --help when
# completing, so this file never lists them itself and cannot drift from the binary.
_xfer() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local xfer=${COMP_WORDS[0]}
    if ((COMP_CWORD == 1)); then
        local commands
        commands=$("$xfer" --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z]*\).*/\1/p')
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        local options
        options=$("$xfer" "${COMP_WORDS[1]}" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
        return
    fi
    # Positionals and option values: local files and directories (DIR, FILE, -o DIR).
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _xfer xfer
