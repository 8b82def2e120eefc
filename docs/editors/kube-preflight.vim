" Vim compiler plugin for kube-preflight's compact format (file:line:col: severity: message [rule-id]).
" Copy to ~/.vim/compiler/kube-preflight.vim (Neovim: ~/.config/nvim/compiler/), then
"   :compiler kube-preflight
"   :make k8s/        (the quickfix list gets one entry per finding; :copen)
if exists('current_compiler')
  finish
endif
let current_compiler = 'kube-preflight'
if exists(':CompilerSet') != 2
  command -nargs=* CompilerSet setlocal <args>
endif
CompilerSet makeprg=kube-preflight\ --format\ compact
CompilerSet errorformat=%f:%l:%c:\ %trror:\ %m,%f:%l:%c:\ %tarning:\ %m,%f:%l:%c:\ %tnfo:\ %m,%-G%.%#
