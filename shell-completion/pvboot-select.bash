# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for pvboot-select(1)
_pvboot_select() {
        local cur prev words cword
        _init_completion -n = || return

        local opts="--output= --output-format= --output-directory= --args= --runas= --quiet
                    --format= --stage1-x86_64= --stage1-i386= --stage1-pvh= --force-arch= --prefer=
                    --pvh --pvshim --host-caps= --timeout= --no-daemon --not-really --verbose --debug --help --entry=
                    --config= --json --disk=
                    --list-entries --interactive --isconfig --offset= --kernel= --ramdisk=
                    --default_args= --extra_args="
        case "$cur" in
        --output-format=*)
                COMPREPLY=($(compgen -W "simple0 simple sxp" -- "${cur#*=}")); return ;;
        --force-arch=*|--prefer=*)
                COMPREPLY=($(compgen -W "i386 x86_64" -- "${cur#*=}")); return ;;
        --format=*)
                COMPREPLY=($(compgen -W "raw qcow2 vmdk vdi vhdx" -- "${cur#*=}")); return ;;
        --output=*|--stage1-*=*|--config=*|--disk=*)
                cur=${cur#*=}; _filedir; return ;;
        --output-directory=*)
                cur=${cur#*=}; _filedir -d; return ;;
        -*)
                COMPREPLY=($(compgen -W "$opts" -- "$cur"))
                [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
                return ;;
        esac
        # The commands, as the first word; status takes no DISK.
        if [ "$cword" = 1 ]; then
                COMPREPLY=($(compgen -W "inspect status" -- "$cur"))
        fi
        [ "${words[1]}" = status ] && return
        _filedir
}
complete -F _pvboot_select pvboot-select
