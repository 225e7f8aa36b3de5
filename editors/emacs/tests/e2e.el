;;; e2e.el --- End-to-end test of aa-lint.el against fake-aa-lint  -*- lexical-binding: t; -*-

;; Run with tests/run.sh.  Exits non-zero on failure.

(require 'aa-lint)
(require 'flymake)

(defvar aa-lint-test--here (file-name-directory (or load-file-name buffer-file-name)))
(defvar aa-lint-test--fake (expand-file-name "../../tests/fake-aa-lint" aa-lint-test--here))
(defvar aa-lint-test--tmp (make-temp-file "aa-lint-emacs" t))
(defvar aa-lint-test--log (expand-file-name "server.log" aa-lint-test--tmp))
(defvar aa-lint-test--passed 0)
(defvar aa-lint-test--failed 0)

(setenv "AA_LINT_FAKE_LOG" aa-lint-test--log)
(setq eglot-sync-connect t)

(defun aa-lint-test--check (name ok &optional detail)
  (if ok
      (progn (setq aa-lint-test--passed (1+ aa-lint-test--passed))
             (princ (format "ok   %s\n" name)))
    (setq aa-lint-test--failed (1+ aa-lint-test--failed))
    (princ (format "FAIL %s%s\n" name (if detail (format ": %S" detail) "")))))

(defun aa-lint-test--log ()
  (when (file-exists-p aa-lint-test--log)
    (with-temp-buffer
      (insert-file-contents aa-lint-test--log)
      (mapcar (lambda (line) (json-parse-string line :object-type 'plist :null-object nil))
              (split-string (buffer-string) "\n" t)))))

(defun aa-lint-test--find (method)
  (cl-find-if (lambda (m) (equal (plist-get m :method) method)) (aa-lint-test--log)))

(defun aa-lint-test--wait (pred)
  (let ((i 0))
    (while (and (not (funcall pred)) (< i 100))
      (accept-process-output nil 0.05)
      (setq i (1+ i)))
    (funcall pred)))

(setq aa-lint-server-command (list aa-lint-test--fake "lsp"))
(setq aa-lint-include-paths '("/etc/apparmor.d"))
(setq aa-lint-lint-ignore '("fake-lint"))
(aa-lint--register)

;; Major mode.
(make-directory (expand-file-name "apparmor.d/abstractions" aa-lint-test--tmp) t)
(dolist (name '("apparmor.d/usr.bin.man" "apparmor.d/abstractions/base" "x.apparmor"))
  (with-current-buffer (find-file-noselect (expand-file-name name aa-lint-test--tmp))
    (aa-lint-test--check (format "major mode of %s" name) (eq major-mode 'aa-lint-apparmor-mode) major-mode)
    (kill-buffer)))
(with-current-buffer (find-file-noselect (expand-file-name "apparmor.d/README.md" aa-lint-test--tmp))
  (aa-lint-test--check "README.md keeps its mode" (not (eq major-mode 'aa-lint-apparmor-mode)) major-mode)
  (kill-buffer))

(with-current-buffer (find-file-noselect (expand-file-name "apparmor.d/usr.bin.foo" aa-lint-test--tmp))
  (insert "profile foo {\n}\n")
  (let ((inhibit-message t)) (save-buffer))
  (apply #'eglot (eglot--guess-contact))
  (aa-lint-test--wait (lambda () (and (aa-lint-test--find "textDocument/didOpen")
                                      (aa-lint-test--find "workspace/didChangeConfiguration"))))
  (let* ((init (aa-lint-test--find "initialize"))
         (opts (plist-get (plist-get init :params) :initializationOptions)))
    (aa-lint-test--check "server started with initialize" init)
    (aa-lint-test--check "initializationOptions.includePaths"
                         (equal (plist-get opts :includePaths) ["/etc/apparmor.d"]) opts)
    (aa-lint-test--check "initializationOptions.lint.ignore"
                         (equal (plist-get (plist-get opts :lint) :ignore) ["fake-lint"]) opts)
    (aa-lint-test--check "initializationOptions.baseDir is null"
                         (and (plist-member opts :baseDir) (null (plist-get opts :baseDir))) opts))
  (let ((open (aa-lint-test--find "textDocument/didOpen")))
    (aa-lint-test--check "didOpen languageId is apparmor"
                         (equal (plist-get (plist-get (plist-get open :params) :textDocument) :languageId) "apparmor")))
  (let ((changes (cl-remove-if-not (lambda (m) (equal (plist-get m :method) "workspace/didChangeConfiguration"))
                                   (aa-lint-test--log))))
    (aa-lint-test--check "didChangeConfiguration carries settings[\"aa-lint\"]"
                         (cl-some (lambda (m)
                                    (equal (plist-get (plist-get (plist-get (plist-get m :params) :settings) :aa-lint)
                                                      :includePaths)
                                           ["/etc/apparmor.d"]))
                                  changes)
                         changes))
  (aa-lint-test--wait (lambda ()
                        (cl-find-if (lambda (m) (and (equal (plist-get m :id) "config-1") (plist-member m :result)))
                                    (aa-lint-test--log))))
  (let* ((answer (cl-find-if (lambda (m) (and (equal (plist-get m :id) "config-1") (plist-member m :result)))
                             (aa-lint-test--log)))
         (first (and answer (aref (plist-get answer :result) 0))))
    (aa-lint-test--check "workspace/configuration answers section aa-lint"
                         (equal (plist-get first :includePaths) ["/etc/apparmor.d"])
                         answer))
  ;; Flymake starts its checks from post-command-hook, which never runs in
  ;; batch mode, so start it by hand.
  (aa-lint-test--wait (lambda () (flymake-start nil t) (flymake-diagnostics)))
  (aa-lint-test--check "diagnostics reach flymake"
                       (cl-some (lambda (d) (string-match-p "fake warning" (flymake-diagnostic-text d)))
                                (flymake-diagnostics)))
  (let ((tree-buffer (aa-lint-show-syntax-tree)))
    (aa-lint-test--check "syntax tree buffer"
                         (and tree-buffer
                              (with-current-buffer tree-buffer
                                (string-prefix-p "SOURCE_FILE@0..16" (buffer-string))))))
  (let ((inhibit-message t)) (eglot-shutdown (eglot-current-server))))

(princ (format "%d passed, %d failed\n" aa-lint-test--passed aa-lint-test--failed))
(delete-directory aa-lint-test--tmp t)
(kill-emacs (if (> aa-lint-test--failed 0) 1 0))
