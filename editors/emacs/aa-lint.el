;;; aa-lint.el --- Eglot setup for the aa-lint AppArmor language server  -*- lexical-binding: t; -*-

;; Author: The aa-lint contributors
;; Keywords: languages, tools
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; SPDX-License-Identifier: MIT

;;; Commentary:

;; Runs `aa-lint lsp' through Eglot for AppArmor profiles.
;;
;;   (add-to-list 'load-path "/path/to/aa-lint/editors/emacs")
;;   (require 'aa-lint)
;;   (setq aa-lint-include-paths '("/etc/apparmor.d"))
;;   (add-hook 'aa-lint-apparmor-mode-hook #'eglot-ensure)
;;
;; Uses `apparmor-mode' when it is installed, else a small fallback major
;; mode, `aa-lint-apparmor-mode'.  Both are registered with Eglot, with the
;; LSP language id "apparmor".
;;
;; The server receives the same settings object as from every other
;; aa-lint editor configuration:
;;   {"includePaths": [...], "baseDir": null, "lint": {"select": [], "ignore": []}}
;; as initializationOptions, as settings["aa-lint"] in
;; workspace/didChangeConfiguration, and in answer to workspace/configuration
;; for section "aa-lint".  A project can instead set it in .dir-locals.el
;; through `eglot-workspace-configuration' under the key :aa-lint.

;;; Code:

(require 'cl-lib)
(require 'eglot)
(require 'jsonrpc)

(defgroup aa-lint nil
  "The aa-lint AppArmor language server."
  :group 'tools
  :prefix "aa-lint-")

(defcustom aa-lint-server-command '("aa-lint" "lsp")
  "The command that starts the language server."
  :type '(repeat string))

(defcustom aa-lint-include-paths nil
  "Include search directories, in order, like `apparmor_parser -I'."
  :type '(repeat directory))

(defcustom aa-lint-base-dir nil
  "The base directory, like `apparmor_parser --base'; nil for the server default."
  :type '(choice (const :tag "Server default" nil) directory))

(defcustom aa-lint-lint-select nil
  "Lints to enable, by code, name or group; empty for the server default."
  :type '(repeat string))

(defcustom aa-lint-lint-ignore nil
  "Lints to disable, by code, name or group."
  :type '(repeat string))

(defun aa-lint-settings ()
  "The settings object sent to the server, as a plist for `json-serialize'."
  (list :includePaths (vconcat (mapcar #'expand-file-name aa-lint-include-paths))
        ;; jsonrpc encodes nil as JSON null.
        :baseDir (and aa-lint-base-dir (expand-file-name aa-lint-base-dir))
        :lint (list :select (vconcat aa-lint-lint-select)
                    :ignore (vconcat aa-lint-lint-ignore))))

;;;; A fallback major mode

(defvar aa-lint-apparmor-mode-syntax-table
  (let ((table (make-syntax-table)))
    (modify-syntax-entry ?# "<" table)
    (modify-syntax-entry ?\n ">" table)
    (modify-syntax-entry ?_ "_" table)
    (modify-syntax-entry ?- "_" table)
    (modify-syntax-entry ?. "_" table)
    (modify-syntax-entry ?/ "_" table)
    (modify-syntax-entry ?@ "_" table)
    table)
  "Syntax table for `aa-lint-apparmor-mode'.")

(defconst aa-lint--font-lock-keywords
  `(("^\\s-*\\(#include\\|include\\)\\_>" 1 font-lock-preprocessor-face t)
    ("\\_<\\(abi\\|include\\)\\_>" 1 font-lock-preprocessor-face)
    ("\\_<\\(profile\\|hat\\)\\s-+\\([^[:space:]{]+\\)"
     (1 font-lock-keyword-face) (2 font-lock-function-name-face))
    ("^\\s-*\\^\\([^[:space:]{]+\\)" 1 font-lock-function-name-face)
    (,(regexp-opt '("audit" "deny" "allow" "owner" "other" "prompt" "priority") 'symbols)
     . font-lock-type-face)
    (,(regexp-opt '("file" "link" "subset" "capability" "network" "unix" "dbus" "mount"
                    "remount" "umount" "unmount" "pivot_root" "ptrace" "signal" "set" "rlimit"
                    "change_profile" "mqueue" "io_uring" "userns" "all" "alias"
                    "if" "else" "defined" "not" "and" "or" "flags" "xattrs")
                  'symbols)
     . font-lock-keyword-face)
    ("[@$]{[[:alnum:]_]+}" . font-lock-variable-name-face)
    ("\\$[[:alpha:]][[:alnum:]_]*" . font-lock-variable-name-face)
    ("->" . font-lock-builtin-face)
    ("\\s-\\(\\(?:[rwalkmx]\\|[PpCc]?[IiUu]?[Xx]\\)+\\)\\s-*\\(?:,\\|->\\)" 1 font-lock-constant-face))
  "Font lock keywords for `aa-lint-apparmor-mode'.")

;;;###autoload
(define-derived-mode aa-lint-apparmor-mode prog-mode "AppArmor"
  "A small major mode for AppArmor profiles, used when `apparmor-mode' is absent."
  :syntax-table aa-lint-apparmor-mode-syntax-table
  (setq-local comment-start "# ")
  (setq-local comment-start-skip "#+\\s-*")
  (setq-local comment-end "")
  (setq-local indent-tabs-mode nil)
  (setq-local font-lock-defaults '(aa-lint--font-lock-keywords)))

(defun aa-lint--major-mode ()
  "The major mode to use for AppArmor files."
  (if (fboundp 'apparmor-mode) 'apparmor-mode 'aa-lint-apparmor-mode))

(defun aa-lint--maybe-mode ()
  "Set the AppArmor major mode, unless the file is a README or Markdown file."
  (let ((name (file-name-nondirectory (or buffer-file-name ""))))
    (unless (or (string-match-p "\\`README" name) (string-match-p "\\.md\\'" name))
      (funcall (aa-lint--major-mode)))))

;;;###autoload
(progn
  (add-to-list 'auto-mode-alist '("\\.apparmor\\'" . aa-lint--maybe-mode))
  ;; Every file in an apparmor.d tree, wherever it is: profiles are named
  ;; after binaries (usr.bin.man), so their "extension" means nothing.
  (add-to-list 'auto-mode-alist '("/apparmor\\.d/" . aa-lint--maybe-mode)))

;;;; Eglot

(defclass aa-lint-eglot-server (eglot-lsp-server) ()
  :documentation "The aa-lint language server.")

(cl-defmethod eglot-initialization-options ((_server aa-lint-eglot-server))
  "Send `aa-lint-settings' as initializationOptions."
  (aa-lint-settings))

(defun aa-lint--user-workspace-settings (server)
  "The :aa-lint entry of `eglot-workspace-configuration' for SERVER, or nil."
  (ignore-errors
    (plist-get (eglot--workspace-configuration-plist server) :aa-lint)))

(defun aa-lint-push-settings (&optional server)
  "Send `aa-lint-settings' to SERVER (default: the current one)."
  (interactive)
  (let ((server (or server (eglot-current-server))))
    (when (and server (cl-typep server 'aa-lint-eglot-server))
      (jsonrpc-notify server :workspace/didChangeConfiguration
                      (list :settings (list :aa-lint (aa-lint-settings)))))))

(defun aa-lint--after-connect (server)
  "Push our settings to SERVER unless the project configures :aa-lint itself."
  (when (and (cl-typep server 'aa-lint-eglot-server)
             (null (aa-lint--user-workspace-settings server)))
    (aa-lint-push-settings server)))

(add-hook 'eglot-connect-hook #'aa-lint--after-connect 90)

(cl-defmethod eglot-handle-request
  ((server aa-lint-eglot-server) (_method (eql workspace/configuration)) &key items)
  "Answer section \"aa-lint\" with `aa-lint-settings' unless the project sets it."
  (let ((answers (append (cl-call-next-method) nil))
        (items (append items nil)))
    (apply #'vector
           (cl-loop for item in items
                    for answer in answers
                    collect (if (and (null answer)
                                     (equal (plist-get item :section) "aa-lint")
                                     (null (aa-lint--user-workspace-settings server)))
                                (aa-lint-settings)
                              answer)))))

(defun aa-lint--register ()
  "Add aa-lint to `eglot-server-programs'."
  (add-to-list 'eglot-server-programs
               `(((apparmor-mode :language-id "apparmor")
                  (aa-lint-apparmor-mode :language-id "apparmor"))
                 . (aa-lint-eglot-server . ,aa-lint-server-command))))

(aa-lint--register)

(defun aa-lint--uri (file)
  "FILE as a file:// URI, with the Eglot function of this Emacs."
  (if (fboundp 'eglot-path-to-uri)
      (eglot-path-to-uri file)
    (eglot--path-to-uri file)))

(defun aa-lint-show-syntax-tree ()
  "Show the server's syntax tree (`aa/syntaxTree') of the current buffer."
  (interactive)
  (let* ((server (eglot-current-server))
         (file (buffer-file-name)))
    (unless (and server (cl-typep server 'aa-lint-eglot-server))
      (user-error "No aa-lint server for this buffer"))
    (unless file
      (user-error "This buffer has no file"))
    (let* ((result (jsonrpc-request server :aa/syntaxTree
                                    (list :textDocument (list :uri (aa-lint--uri file)))))
           (tree (plist-get result :tree)))
      (unless (stringp tree)
        (user-error "The server answered aa/syntaxTree without a tree"))
      (with-current-buffer (get-buffer-create (format "*aa-lint syntax tree: %s*" (buffer-name)))
        (let ((inhibit-read-only t))
          (erase-buffer)
          (insert tree))
        (goto-char (point-min))
        (special-mode)
        (display-buffer (current-buffer))
        (current-buffer)))))

(provide 'aa-lint)
;;; aa-lint.el ends here
