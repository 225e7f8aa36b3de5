;;; e2e.el --- End-to-end test of aa-lint.el against the real server  -*- lexical-binding: t; -*-

;; Run with tests/run.sh, with $AA_LINT_BIN the aa-lint binary to test.
;; Each setting is checked by what the server does with it.  Exits non-zero
;; on failure.

(require 'aa-lint)
(require 'flymake)
(require 'subr-x)
(require 'cl-lib)

(defvar aa-lint-test--here (file-name-directory (or load-file-name buffer-file-name)))
(defvar aa-lint-test--bin (let ((b (getenv "AA_LINT_BIN"))) (and b (not (string-empty-p b)) b)))
(defvar aa-lint-test--tmp (make-temp-file "aa-lint-emacs" t))
(defvar aa-lint-test--passed 0)
(defvar aa-lint-test--failed 0)

(setq eglot-sync-connect t)

(defun aa-lint-test--check (name ok &optional detail)
  (if ok
      (progn (setq aa-lint-test--passed (1+ aa-lint-test--passed))
             (princ (format "ok   %s\n" name)))
    (setq aa-lint-test--failed (1+ aa-lint-test--failed))
    (princ (format "FAIL %s%s\n" name (if detail (format ": %S" detail) "")))))

(defun aa-lint-test--wait (pred)
  (let ((i 0))
    (while (and (not (funcall pred)) (< i 400))
      (accept-process-output nil 0.05)
      (setq i (1+ i)))
    (funcall pred)))

(defun aa-lint-test--messages ()
  "The texts of the current buffer's diagnostics, refreshed from the server."
  ;; Flymake starts its checks from post-command-hook, which never runs in
  ;; batch mode, so start it by hand.
  (flymake-start nil t)
  (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))

(defun aa-lint-test--has (code)
  (cl-some (lambda (m) (string-match-p (regexp-quote (format "[%s]" code)) m)) (aa-lint-test--messages)))

(unless aa-lint-test--bin
  (princ "FAIL AA_LINT_BIN is not set (the aa-lint binary to test)\n")
  (kill-emacs 1))

;; The base directory has tunables but no abstractions; the only copy of
;; abstractions/extra is in an include directory given by the settings.
(let ((root (expand-file-name "apparmor.d" aa-lint-test--tmp))
      (extra (expand-file-name "extra" aa-lint-test--tmp)))
  (make-directory (expand-file-name "tunables" root) t)
  (make-directory (expand-file-name "abstractions" root) t)
  (make-directory (expand-file-name "abstractions" extra) t)
  (write-region "@{HOME}=/home/*/ /root/\n" nil (expand-file-name "tunables/global" root))
  (write-region "capability chown,\n" nil (expand-file-name "abstractions/extra" extra))
  (setq aa-lint-server-command (list aa-lint-test--bin "lsp"))
  (setq aa-lint-include-paths (list extra))
  (setq aa-lint-base-dir root)
  (setq aa-lint-lint-ignore '("duplicate-rule")))
(aa-lint--register)

;; Major mode.
(dolist (name '("apparmor.d/usr.bin.man" "apparmor.d/abstractions/base" "x.apparmor"))
  (with-current-buffer (find-file-noselect (expand-file-name name aa-lint-test--tmp))
    (aa-lint-test--check (format "major mode of %s" name) (eq major-mode 'aa-lint-apparmor-mode) major-mode)
    (kill-buffer)))
(with-current-buffer (find-file-noselect (expand-file-name "apparmor.d/README.md" aa-lint-test--tmp))
  (aa-lint-test--check "README.md keeps its mode" (not (eq major-mode 'aa-lint-apparmor-mode)) major-mode)
  (kill-buffer))

;; A profile with one error (an unknown capability), a repeated rule (whose
;; lint the settings ignore) and an include only the include path resolves.
(with-current-buffer (find-file-noselect (expand-file-name "apparmor.d/usr.bin.foo" aa-lint-test--tmp))
  (insert "include <tunables/global>\nprofile foo {\n  include <abstractions/extra>\n  capability net_admn,\n  @{HOME}/x r,\n  @{HOME}/x r,\n}\n")
  (let ((inhibit-message t)) (save-buffer))
  (apply #'eglot (eglot--guess-contact))
  (aa-lint-test--check "the real server started" (eglot-current-server))
  (aa-lint-test--check "project root is the apparmor.d directory"
                       (equal (file-name-as-directory (expand-file-name (project-root (eglot--project (eglot-current-server)))))
                              (file-name-as-directory (expand-file-name "apparmor.d" aa-lint-test--tmp)))
                       (project-root (eglot--project (eglot-current-server))))
  (aa-lint-test--wait (lambda () (aa-lint-test--has "unknown-capability")))
  ;; Settings arrive after the first analysis; wait until they have been applied.
  (aa-lint-test--wait (lambda () (not (aa-lint-test--has "unresolved-include"))))
  (let ((messages (aa-lint-test--messages)))
    (aa-lint-test--check "diagnostics reach flymake: exactly the unknown capability"
                         (and (= (length messages) 1) (string-match-p "net_admn" (car messages)))
                         messages)
    (aa-lint-test--check "includePaths reach the server (the include resolves)"
                         (not (aa-lint-test--has "unresolved-include")) messages)
    (aa-lint-test--check "lint.ignore reaches the server (duplicate-rule is silent)"
                         (not (aa-lint-test--has "duplicate-rule")) messages))
  (let ((tree-buffer (aa-lint-show-syntax-tree))
        (size (1- (point-max))))
    (aa-lint-test--check "syntax tree buffer"
                         (and tree-buffer
                              (with-current-buffer tree-buffer
                                (string-prefix-p (format "SOURCE_FILE@0..%d\n" size) (buffer-string))))))
  ;; New settings at run time: every lint, nothing ignored.
  (setq aa-lint-lint-select '("all"))
  (setq aa-lint-lint-ignore nil)
  (aa-lint-push-settings)
  (aa-lint-test--wait (lambda () (and (aa-lint-test--has "duplicate-rule") (aa-lint-test--has "missing-abi"))))
  (aa-lint-test--check "aa-lint-push-settings reaches the server (duplicate-rule and missing-abi appear)"
                       (and (aa-lint-test--has "duplicate-rule") (aa-lint-test--has "missing-abi"))
                       (aa-lint-test--messages))
  (let ((inhibit-message t)) (eglot-shutdown (eglot-current-server))))

(princ (format "%d passed, %d failed\n" aa-lint-test--passed aa-lint-test--failed))
(delete-directory aa-lint-test--tmp t)
(kill-emacs (if (> aa-lint-test--failed 0) 1 0))
