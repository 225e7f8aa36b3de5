// Builds syntaxes/apparmor.tmLanguage.json. Edit this file, then run
// `npm run build:grammar`; `--check` fails if the JSON is out of date.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const R = String.raw;
const TS = R`(?<![^\s{}])`;           // token start at statement level
const TSL = R`(?<![^\s,(){}])`;       // token start inside lists
const MODES = R`(?:[RrWwaLlMmkXx]|[PpCc][Xx]|[PpCc]?[IiUu][Xx])+`;
const WCH = R`(?:[^\s,(){}"\[\]]|\[[^\]\s]*\]|\{(?:[^{}\s]|\{[^{}\s]*\})+\})`;
const PATH = R`(?=[/@*{])${WCH}+`;
const words = (xs) => xs.join('|');
// Where a rule ends: at its comma, or (when the comma is missing) before the
// `}` of its block or a `{` that opens a block at the end of the line, so a
// missing comma cannot swallow the rest of the file.
const RULE_END = R`(,)|(?=\})|(?=(?<=\s)\{\s*\}?\s*(?:#.*)?$)`;
// The end of a header line: `{`, `{}` or `{ }`, maybe followed by a comment.
const HEADER_TAIL = R`\s\{\s*\}?\s*(?:#.*)?$`;

const caps = words(['chown','dac_override','dac_read_search','fowner','fsetid','kill','setgid','setuid','setpcap','linux_immutable','net_bind_service','net_broadcast','net_admin','net_raw','ipc_lock','ipc_owner','sys_module','sys_rawio','sys_chroot','sys_ptrace','sys_pacct','sys_admin','sys_boot','sys_nice','sys_resource','sys_time','sys_tty_config','mknod','lease','audit_write','audit_control','setfcap','mac_override','mac_admin','syslog','wake_alarm','block_suspend','audit_read','perfmon','bpf','checkpoint_restore']);
const domains = words(['unix','inet','ax25','ipx','appletalk','netrom','bridge','atmpvc','x25','inet6','rose','netbeui','security','key','netlink','packet','ash','econet','atmsvc','rds','sna','irda','pppox','wanpipe','llc','ib','mpls','can','tipc','bluetooth','iucv','rxrpc','isdn','phonet','ieee802154','caif','alg','nfc','vsock','kcm','qipcrtr','smc','xdp','mctp']);
const socktypes = words(['stream','dgram','seqpacket','rdm','raw','packet']);
const protocols = words(['tcp','udp','icmp','icmpv6']);
const rlimits = words(['cpu','fsize','data','stack','core','rss','nofile','ofile','as','nproc','memlock','locks','sigpending','msgqueue','nice','rtprio','rttime']);
const signals = words(['hup','int','quit','ill','trap','abrt','bus','fpe','kill','usr1','segv','usr2','pipe','alrm','term','stkflt','chld','cont','stop','stp','ttin','ttou','urg','xcpu','xfsz','vtalrm','prof','winch','io','pwr','sys','emt','lost','exists','rtmin\+\d+']);
const access = words(['rw','wr','r','w','read','write','send','receive','bind','listen','accept','connect','getattr','setattr','getopt','setopt','shutdown','create','delete','open','eavesdrop','trace','readby','tracedby','sqpoll','override_creds','exec','mmap','link','lock','append','rename','chmod','chown','setcred','getcred']);
const flags = words(['complain','enforce','kill','unconfined','default_allow','prompt','audit','mediate_deleted','delegate_deleted','attach_disconnected','no_attach_disconnected','chroot_relative','namespace_relative','chroot_attach','chroot_no_attach','interruptible','debug','attach_disconnected\.path','kill\.signal','error']);

const g = {

  name: 'AppArmor',
  scopeName: 'source.apparmor',
  fileTypes: ['apparmor'],
  patterns: [{ include: '#statements' }],
  repository: {
    statements: { patterns: [
      { include: '#comment' }, { include: '#include' }, { include: '#abi' },
      { include: '#boolean-assignment' }, { include: '#variable-assignment' },
      { include: '#alias' }, { include: '#conditional' },
      { include: '#profile-header' }, { include: '#hat-header' }, { include: '#path-profile-header' },
      { include: '#qualifiers' },
      { include: '#capability-rule' }, { include: '#network-rule' }, { include: '#rlimit-rule' },
      { include: '#signal-rule' }, { include: '#change-profile-rule' }, { include: '#link-rule' },
      { include: '#generic-rule' }, { include: '#all-rule' }, { include: '#file-rule' },
      { include: '#block' }, { include: '#terminator' },
      { include: '#string' }, { include: '#variables' }, { include: '#number' },
    ]},
    comment: {
      name: 'comment.line.number-sign.apparmor',
      match: R`(?<![^\s,(){}])(#)(?!include).*$`,
      captures: { 1: { name: 'punctuation.definition.comment.apparmor' } },
    },
    include: {
      match: R`${TS}(#include|include(?=\s))(?:\s+(if)\s+(exists)(?=\s))?\s*(?:((<)("?)([^>"\n]*)("?)(>))|((")((?:[^"\\]|\\.)*)("))|([^\s,#]+))?`,
      captures: {
        1: { name: 'keyword.control.directive.include.apparmor' },
        2: { name: 'keyword.control.directive.include.if.apparmor' },
        3: { name: 'keyword.control.directive.include.exists.apparmor' },
        4: { name: 'string.quoted.other.lt-gt.include.apparmor' },
        5: { name: 'punctuation.definition.string.begin.apparmor' },
        9: { name: 'punctuation.definition.string.end.apparmor' },
        10: { name: 'string.quoted.double.include.apparmor' },
        11: { name: 'punctuation.definition.string.begin.apparmor' },
        13: { name: 'punctuation.definition.string.end.apparmor' },
        14: { name: 'string.unquoted.include.apparmor' },
      },
    },
    abi: {
      match: R`${TS}(abi)(?=[\s<"])\s*(?:((<)([^>\n]*)(>))|((")((?:[^"\\]|\\.)*)("))|([^\s,#]+))?\s*(,)?`,
      captures: {
        1: { name: 'keyword.control.directive.abi.apparmor' },
        2: { name: 'string.quoted.other.lt-gt.abi.apparmor' },
        3: { name: 'punctuation.definition.string.begin.apparmor' },
        5: { name: 'punctuation.definition.string.end.apparmor' },
        6: { name: 'string.quoted.double.abi.apparmor' },
        7: { name: 'punctuation.definition.string.begin.apparmor' },
        9: { name: 'punctuation.definition.string.end.apparmor' },
        10: { name: 'string.unquoted.abi.apparmor' },
        11: { name: 'punctuation.terminator.rule.apparmor' },
      },
    },
    'boolean-assignment': {
      match: R`^\s*(\$\{\w+\}|\$[A-Za-z]\w*)\s*(=)\s*(?:(true|false)\b)?`,
      captures: {
        1: { patterns: [{ include: '#variables' }] },
        2: { name: 'keyword.operator.assignment.apparmor' },
        3: { name: 'constant.language.boolean.apparmor' },
      },
    },
    'variable-assignment': {
      name: 'meta.assignment.apparmor',
      begin: R`^\s*(@\{\w+\})\s*(\+?=)`,
      beginCaptures: {
        1: { patterns: [{ include: '#variables' }] },
        2: { name: 'keyword.operator.assignment.apparmor' },
      },
      // vscode-textmate matches each line with its `\n`, so `$` also matches
      // after it: the second look-behind keeps a `\` continuation open there.
      end: R`(?<!\\)(?<!\\\n)$`,
      patterns: [
        { include: '#comment' }, { include: '#string' },
        { name: 'constant.character.escape.line-continuation.apparmor', match: R`\\$` },
        { include: '#path' },
        { name: 'string.unquoted.value.apparmor', match: R`${WCH}+`, captures: { 0: { patterns: [{ include: '#glob' }] } } },
      ],
    },
    alias: {
      name: 'meta.alias.apparmor',
      begin: R`${TS}(alias)(?=\s)`,
      beginCaptures: { 1: { name: 'keyword.other.alias.apparmor' } },
      end: RULE_END,
      endCaptures: { 1: { name: 'punctuation.terminator.rule.apparmor' } },
      patterns: [{ include: '#comment' }, { include: '#arrow' }, { include: '#string' }, { include: '#path' }],
    },
    conditional: { patterns: [
      {
        name: 'meta.conditional.apparmor',
        begin: R`${TS}(if)(?=\s)`,
        beginCaptures: { 1: { name: 'keyword.control.conditional.apparmor' } },
        end: R`(?=\{)|$`,
        patterns: [
          { include: '#comment' },
          { name: 'keyword.operator.defined.apparmor', match: R`\bdefined\b` },
          { name: 'keyword.operator.logical.apparmor', match: R`\b(?:not|and|or)\b` },
          { include: '#variables' },
          { name: 'punctuation.section.parens.begin.apparmor', match: R`\(` },
          { name: 'punctuation.section.parens.end.apparmor', match: R`\)` },
        ],
      },
      { match: R`${TS}(else)(?=[\s{]|$)`, captures: { 1: { name: 'keyword.control.conditional.apparmor' } } },
    ]},
    'profile-header': {
      name: 'meta.profile.header.apparmor',
      begin: R`${TS}(profile)\s+("(?:[^"\\]|\\.)*"|(?:[^\s"{]|@\{\w+\})+)`,
      beginCaptures: {
        1: { name: 'storage.type.profile.apparmor' },
        2: { name: 'entity.name.function.profile.apparmor', patterns: [{ include: '#variables' }] },
      },
      end: R`(\{)|(?=,)|$`,
      endCaptures: { 1: { name: 'punctuation.section.block.begin.apparmor' } },
      patterns: [{ include: '#header-body' }],
    },
    'hat-header': { patterns: [
      {
        name: 'meta.hat.header.apparmor',
        begin: R`${TS}(hat)\s+("(?:[^"\\]|\\.)*"|[^\s"{,]+)`,
        beginCaptures: {
          1: { name: 'storage.type.hat.apparmor' },
          2: { name: 'entity.name.function.hat.apparmor' },
        },
        end: R`(\{)|(?=,)|$`,
        endCaptures: { 1: { name: 'punctuation.section.block.begin.apparmor' } },
        patterns: [{ include: '#header-body' }],
      },
      {
        name: 'meta.hat.header.apparmor',
        begin: R`^\s*(\^)("(?:[^"\\]|\\.)*"|[^\s"{,]+)`,
        beginCaptures: {
          1: { name: 'storage.type.hat.apparmor' },
          2: { name: 'entity.name.function.hat.apparmor' },
        },
        end: R`(\{)|(?=,)|$`,
        endCaptures: { 1: { name: 'punctuation.section.block.begin.apparmor' } },
        patterns: [{ include: '#header-body' }],
      },
    ]},
    'path-profile-header': {
      name: 'meta.profile.header.apparmor',
      begin: R`^\s*("(?:[^"\\]|\\.)*"|(?=[/@{*:])${WCH}+)(?=.*${HEADER_TAIL})`,
      beginCaptures: {
        1: { name: 'entity.name.function.profile.apparmor', patterns: [{ include: '#glob' }] },
      },
      end: R`(\{)|$`,
      endCaptures: { 1: { name: 'punctuation.section.block.begin.apparmor' } },
      patterns: [{ include: '#header-body' }],
    },
    'header-body': { patterns: [
      { include: '#comment' },
      {
        name: 'meta.flags.apparmor',
        begin: R`(?:\b(flags)\s*(=)\s*)?(\()`,
        beginCaptures: {
          1: { name: 'keyword.other.flags.apparmor' },
          2: { name: 'keyword.operator.assignment.apparmor' },
          3: { name: 'punctuation.section.parens.begin.apparmor' },
        },
        end: R`\)`,
        endCaptures: { 0: { name: 'punctuation.section.parens.end.apparmor' } },
        patterns: [
          { include: '#comment' },
          { match: R`${TSL}(${flags})(?=[\s,)=]|$)`, captures: { 1: { name: 'support.constant.flag.apparmor' } } },
          { include: '#list-body' },
        ],
      },
      { include: '#key-value' },
      { include: '#string' },
      { include: '#path' },
      { include: '#variables' },
    ]},
    qualifiers: { patterns: [
      { match: R`${TS}(audit|deny|allow|owner|other|prompt)(?=[\s{]|$)`, captures: { 1: { name: 'storage.modifier.qualifier.apparmor' } } },
      { match: R`${TS}(priority)\s*(=)\s*([+-]?\d+)`, captures: {
        1: { name: 'storage.modifier.qualifier.priority.apparmor' },
        2: { name: 'keyword.operator.assignment.apparmor' },
        3: { name: 'constant.numeric.integer.apparmor' },
      } },
    ]},
    'capability-rule': rule('capability', [
      { match: R`${TSL}(${caps})(?=[\s,)]|$)`, captures: { 1: { name: 'support.constant.capability.apparmor' } } },
      { include: '#variables' },
    ]),
    'network-rule': rule('network', [
      { match: R`${TSL}(${domains})(?=[\s,)]|$)`, captures: { 1: { name: 'support.constant.network.domain.apparmor' } } },
      { match: R`${TSL}(${socktypes})(?=[\s,)]|$)`, captures: { 1: { name: 'support.constant.network.type.apparmor' } } },
      { match: R`${TSL}(${protocols})(?=[\s,)]|$)`, captures: { 1: { name: 'support.constant.network.protocol.apparmor' } } },
      { include: '#rule-body' },
    ]),
    'rlimit-rule': {
      name: 'meta.rule.rlimit.apparmor',
      begin: R`${TS}(set)\s+(rlimit)(?=[\s,]|$)`,
      beginCaptures: { 1: { name: 'keyword.other.rule.apparmor' }, 2: { name: 'keyword.other.rule.apparmor' } },
      end: RULE_END,
      endCaptures: { 1: { name: 'punctuation.terminator.rule.apparmor' } },
      patterns: [
        { include: '#comment' },
        { match: R`\b(${rlimits})\b`, captures: { 1: { name: 'support.constant.rlimit.apparmor' } } },
        { name: 'keyword.operator.comparison.apparmor', match: '<=' },
        { name: 'constant.language.infinity.apparmor', match: R`\binfinity\b` },
        { name: 'constant.numeric.apparmor', match: R`(?<![\w.])-?\d+(?:[A-Za-z]+)?\b` },
        { include: '#variables' },
      ],
    },
    'signal-rule': rule('signal', [
      {
        name: 'meta.list.signals.apparmor',
        begin: R`${TSL}(set)\s*(=)\s*(\()`,
        beginCaptures: {
          1: { name: 'entity.other.attribute-name.apparmor' },
          2: { name: 'keyword.operator.assignment.apparmor' },
          3: { name: 'punctuation.section.parens.begin.apparmor' },
        },
        end: R`\)`,
        endCaptures: { 0: { name: 'punctuation.section.parens.end.apparmor' } },
        patterns: [{ include: '#signal-name' }, { include: '#list-body' }],
      },
      {
        match: R`${TSL}(set)\s*(=)\s*(?=\w)`,
        captures: { 1: { name: 'entity.other.attribute-name.apparmor' }, 2: { name: 'keyword.operator.assignment.apparmor' } },
      },
      { include: '#signal-name-after-eq' },
      { include: '#rule-body' },
    ]),
    'signal-name': { match: R`${TSL}(${signals})(?=[\s,)]|$)`, captures: { 1: { name: 'support.constant.signal.apparmor' } } },
    'signal-name-after-eq': { match: R`(?<=set=)(${signals})(?=[\s,)]|$)`, captures: { 1: { name: 'support.constant.signal.apparmor' } } },
    'change-profile-rule': rule('change_profile', [
      { match: R`${TSL}(safe|unsafe)(?=\s)`, captures: { 1: { name: 'storage.modifier.exec-mode.apparmor' } } },
      { include: '#arrow-target' },
      { include: '#string' },
      { include: '#path' },
      { include: '#variables' },
    ]),
    'link-rule': rule('link', [
      { match: R`${TSL}(subset)(?=\s)`, captures: { 1: { name: 'keyword.other.subset.apparmor' } } },
      { include: '#rule-body' },
    ]),
    'generic-rule': {
      name: 'meta.rule.apparmor',
      begin: R`${TS}(dbus|unix|mount|remount|umount|unmount|pivot_root|ptrace|mqueue|io_uring|userns)(?=[\s,(]|$)`,
      beginCaptures: { 1: { name: 'keyword.other.rule.apparmor' } },
      end: RULE_END,
      endCaptures: { 1: { name: 'punctuation.terminator.rule.apparmor' } },
      patterns: [{ include: '#rule-body' }],
    },
    'all-rule': {
      match: R`${TS}(all)(?=\s*,)`,
      captures: { 1: { name: 'keyword.other.rule.apparmor' } },
    },
    'file-rule': {
      name: 'meta.rule.file.apparmor',
      begin: R`${TS}(?:(file)(?=[\s,]|$)|(?=[/@"*]|\{[^}\s]|(?:safe|unsafe)\s|${MODES}\s+(?:subset\s+|<=\s*)?[/@"{*]))`,
      beginCaptures: { 1: { name: 'keyword.other.rule.apparmor' } },
      end: RULE_END,
      endCaptures: { 1: { name: 'punctuation.terminator.rule.apparmor' } },
      patterns: [
        { include: '#comment' },
        { match: R`${TSL}(safe|unsafe)(?=\s)`, captures: { 1: { name: 'storage.modifier.exec-mode.apparmor' } } },
        { match: R`${TSL}(subset)(?=\s)`, captures: { 1: { name: 'keyword.other.subset.apparmor' } } },
        { name: 'keyword.operator.comparison.apparmor', match: '<=' },
        { include: '#arrow-target' },
        { include: '#key-value' },
        { include: '#string' },
        { include: '#path' },
        { include: '#permissions' },
        { include: '#variables' },
      ],
    },
    'rule-body': { patterns: [
      { include: '#comment' },
      { include: '#key-value' },
      { include: '#paren-list' },
      { include: '#arrow' },
      { include: '#string' },
      { include: '#path' },
      { include: '#variables' },
      { include: '#access' },
      { include: '#number' },
    ]},
    'key-value': { patterns: [
      {
        name: 'meta.condition.list.apparmor',
        begin: R`${TSL}([A-Za-z_][\w.-]*)\s*(=)\s*(\()`,
        beginCaptures: {
          1: { name: 'entity.other.attribute-name.apparmor' },
          2: { name: 'keyword.operator.assignment.apparmor' },
          3: { name: 'punctuation.section.parens.begin.apparmor' },
        },
        end: R`\)`,
        endCaptures: { 0: { name: 'punctuation.section.parens.end.apparmor' } },
        patterns: [{ include: '#list-body' }],
      },
      {
        name: 'meta.condition.apparmor',
        begin: R`${TSL}([A-Za-z_][\w.-]*)\s*(=)\s*`,
        beginCaptures: {
          1: { name: 'entity.other.attribute-name.apparmor' },
          2: { name: 'keyword.operator.assignment.apparmor' },
        },
        end: R`(?=[\s,()#]|$)`,
        patterns: [{ include: '#value' }],
      },
    ]},
    value: { patterns: [
      { include: '#string' },
      { name: 'constant.numeric.apparmor', match: R`[+-]?\d+(?=[\s,()]|$)` },
      { name: 'string.unquoted.path.apparmor', match: R`(?=/)${WCH}+`, captures: { 0: { patterns: [{ include: '#glob' }] } } },
      { name: 'string.unquoted.value.apparmor', match: R`(?:[^\s,()"{}\[\]]|\[[^\]\s]*\]|\{(?:[^{}\s]|\{[^{}\s]*\})*\})+`, captures: { 0: { patterns: [{ include: '#glob' }] } } },
    ]},
    'list-body': { patterns: [
      { include: '#comment' },
      { include: '#key-value' },
      { include: '#string' },
      { include: '#path' },
      { include: '#variables' },
      { include: '#number' },
      { name: 'punctuation.separator.list.apparmor', match: ',' },
      { name: 'string.unquoted.value.apparmor', match: R`[^\s,()"=]+` },
    ]},
    'paren-list': {
      name: 'meta.list.apparmor',
      begin: R`\(`,
      beginCaptures: { 0: { name: 'punctuation.section.parens.begin.apparmor' } },
      end: R`\)`,
      endCaptures: { 0: { name: 'punctuation.section.parens.end.apparmor' } },
      patterns: [{ include: '#access' }, { include: '#list-body' }],
    },
    access: { match: R`${TSL}(${access})(?=[\s,)]|$)`, captures: { 1: { name: 'keyword.other.permission.apparmor' } } },
    permissions: {
      match: R`${TSL}${MODES}(?=[\s,]|$)`,
      name: 'keyword.other.permission.apparmor',
      captures: { 0: { patterns: [
        { name: 'keyword.other.permission.exec.apparmor', match: R`(?:[PpCc]?[IiUu]|[PpCc])?[Xx]` },
      ] } },
    },
    arrow: { name: 'keyword.operator.transition.apparmor', match: '->' },
    'arrow-target': {
      match: R`(->)\s*(&)?("(?:[^"\\]|\\.)*"|[^\s,"#]+)?`,
      captures: {
        1: { name: 'keyword.operator.transition.apparmor' },
        2: { name: 'keyword.operator.stacking.apparmor' },
        3: { name: 'entity.name.function.profile.apparmor', patterns: [{ include: '#variables' }] },
      },
    },
    path: {
      name: 'string.unquoted.path.apparmor',
      match: PATH,
      captures: { 0: { patterns: [{ include: '#glob' }] } },
    },
    glob: { patterns: [
      { include: '#variables' },
      { name: 'keyword.operator.glob.wildcard.apparmor', match: R`\*\*|\*|\?` },
      { name: 'constant.other.character-class.glob.apparmor', match: R`\[\^?\]?[^\]]*\]` },
      { name: 'keyword.operator.glob.alternation.apparmor', match: R`[{},]` },
    ]},
    variables: { patterns: [
      {
        name: 'variable.other.set.apparmor',
        match: R`(@\{)(\w+)(\})`,
        captures: { 1: { name: 'punctuation.definition.variable.begin.apparmor' }, 3: { name: 'punctuation.definition.variable.end.apparmor' } },
      },
      {
        name: 'variable.other.boolean.apparmor',
        match: R`(\$\{)(\w+)(\})`,
        captures: { 1: { name: 'punctuation.definition.variable.begin.apparmor' }, 3: { name: 'punctuation.definition.variable.end.apparmor' } },
      },
      {
        name: 'variable.other.boolean.apparmor',
        match: R`(\$)([A-Za-z]\w*)`,
        captures: { 1: { name: 'punctuation.definition.variable.apparmor' } },
      },
    ]},
    string: {
      name: 'string.quoted.double.apparmor',
      begin: '"',
      beginCaptures: { 0: { name: 'punctuation.definition.string.begin.apparmor' } },
      end: '"',
      endCaptures: { 0: { name: 'punctuation.definition.string.end.apparmor' } },
      patterns: [
        { name: 'constant.character.escape.apparmor', match: R`\\.` },
        { include: '#variables' },
      ],
    },
    number: { name: 'constant.numeric.apparmor', match: R`(?<![\w.@$-])[+-]?\d+(?![\w.])` },
    block: { patterns: [
      { name: 'punctuation.section.block.begin.apparmor', match: R`\{` },
      { name: 'punctuation.section.block.end.apparmor', match: R`\}` },
    ]},
    terminator: { name: 'punctuation.terminator.rule.apparmor', match: ',' },
  },
};

function rule(keyword, patterns) {
  return {
    name: `meta.rule.${keyword.replace('_', '-')}.apparmor`,
    begin: R`${TS}(${keyword})(?=[\s,(]|$)`,
    beginCaptures: { 1: { name: 'keyword.other.rule.apparmor' } },
    end: RULE_END,
    endCaptures: { 1: { name: 'punctuation.terminator.rule.apparmor' } },
    patterns: [{ include: '#comment' }, ...patterns],
  };
}

const out = path.join(__dirname, '..', 'syntaxes', 'apparmor.tmLanguage.json');
const text = JSON.stringify(g, null, 2) + '\n';
if (process.argv.includes('--check')) {
  if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== text) {
    console.error('syntaxes/apparmor.tmLanguage.json is out of date: run `npm run build:grammar`.');
    process.exit(1);
  }
} else {
  fs.writeFileSync(out, text);
}
