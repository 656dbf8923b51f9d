# Drives zsh's real completion system, as a user's <TAB> does, and prints what it offers.
#   zsh -f zsh_complete.zsh COMPLETION_DIR BIN_DIR SCRATCH_DIR 'xfer fe'
# An interactive zsh (compinit over COMPLETION_DIR, where _xfer is; BIN_DIR first in PATH, where
# xfer is) runs in a pseudo-terminal (zsh/zpty, as zsh's own completion tests do); the words are
# typed followed by a TAB, bound to a widget that completes and then prints a marker. Every match
# the completion functions add passes through compadd, which prints it on a line of its own
# ("<match>WORD"): those lines are the output, one match per line. Reads wait for the prompt and
# the marker, never for a time; the caller bounds the whole run (a completion that hangs).
zmodload zsh/zpty || { print -u2 "zsh/zpty is missing"; exit 2 }
completion_dir=$1 bin_dir=$2 scratch=$3 typed=$4
cat > $scratch/.zshrc <<RC
PROMPT='<ready>'
path=(${(q)bin_dir} \$path)
fpath=(${(q)completion_dir} \$fpath)
autoload -Uz compinit && compinit -u -D
compadd() {
  # Calls that only collect matches into an array (-O, -A, -D) add nothing to the list.
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "\$@"; return; fi
  local -a hits
  builtin compadd -A hits "\$@"
  local ret=\$?
  (( \$#hits )) && print -r -l -- "<match>"\${^hits}
  builtin compadd "\$@"
  return ret
}
complete-then-mark() { zle complete-word; print -r -- '<done>'; }
zle -N complete-then-mark
bindkey '^I' complete-then-mark
RC
# Whatever terminal the tests run under: ZLE (and so completion) is off under TERM=emacs.
export ZDOTDIR=$scratch TERM=dumb
zpty shell zsh -d -i
zpty -r shell out '*<ready>*' || { print -u2 "no prompt from the interactive zsh"; exit 3 }
zpty -wn shell "$typed"$'\t'
zpty -r shell out '*<done>*' || { print -u2 "the completion never finished"; exit 4 }
zpty -d shell
for line in ${(f)out}; do
  [[ $line == *'<match>'* ]] && print -r -- "${${line#*<match>}%%$'\r'}"
done
exit 0
