" Filetype detection for AppArmor profiles, for Neovim and Vim.
" Neovim and Vim already know /etc/apparmor.d/*; this adds whole trees
" elsewhere (a checkout of apparmor.d), their abstractions/ and tunables/,
" and *.apparmor files.
autocmd BufNewFile,BufRead *.apparmor setfiletype apparmor
autocmd BufNewFile,BufRead /etc/apparmor.d/* setfiletype apparmor
autocmd BufNewFile,BufRead */apparmor.d/* setfiletype apparmor
autocmd BufNewFile,BufRead */apparmor.d/abstractions/*,*/apparmor.d/tunables/* setfiletype apparmor
