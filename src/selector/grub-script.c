/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The search part of GRUB's script language (see grub-script.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "selector/grub-script.h"

typedef struct Word {
        char text[GRUB_SCRIPT_WORD_MAX];
        size_t len;
        bool expands;           /* a $ outside single quotes: GRUB substitutes it */
        bool too_long;
        bool brace;             /* an unquoted `{' or `}': a token of its own */
} Word;

typedef struct Statement {
        unsigned line;
        unsigned n;             /* words kept */
        bool overflow;          /* it had more than GRUB_SCRIPT_MAX_WORDS */
        bool special;           /* an unquoted | & < or > */
        Word w[GRUB_SCRIPT_MAX_WORDS];
        Word last;              /* when it overflowed: its last word */
        unsigned spilled_braces; /* braces among the words not kept (last included) */
} Statement;

typedef struct Lexer {
        const char *p, *end;
        unsigned line;
} Lexer;

static void put(Word *w, char c) {
        if (w->len + 1 < sizeof(w->text)) {
                w->text[w->len++] = c;
                w->text[w->len] = 0;
        } else
                w->too_long = true;
}

/* One statement, up to `;` or a newline: 1, 0 at the end of the text,
 * -EINVAL for an unterminated quote. */
static int lex_statement(Lexer *lx, Statement *st) {
        Word spill = { .len = 0 }, *cur = NULL;
        bool in_word = false;

        memset(st, 0, sizeof(*st));
        if (lx->p >= lx->end)
                return 0;
        st->line = lx->line;
        while (lx->p < lx->end) {
                char c = *lx->p;

                if (c == '\n') {
                        lx->p++;
                        lx->line++;
                        break;
                }
                if (c == ';') {
                        lx->p++;
                        break;
                }
                if (c == '\\' && lx->end - lx->p >= 2 && lx->p[1] == '\n') {
                        lx->p += 2;     /* a continued line */
                        lx->line++;
                        continue;
                }
                if (c == ' ' || c == '\t' || c == '\r') {
                        lx->p++;
                        in_word = false;
                        continue;
                }
                if (!in_word && c == '#') {
                        while (lx->p < lx->end && *lx->p != '\n')
                                lx->p++;
                        continue;
                }
                if (!in_word || c == '{' || c == '}') {
                        if (st->n < GRUB_SCRIPT_MAX_WORDS)
                                cur = &st->w[st->n++];
                        else {
                                st->overflow = true;
                                memset(&spill, 0, sizeof(spill));
                                cur = &spill;
                        }
                        in_word = true;
                }
                lx->p++;
                /* `{' and `}' are tokens of their own wherever they stand
                 * unquoted (yylex.l: they are not word characters). */
                if (c == '{' || c == '}') {
                        put(cur, c);
                        cur->brace = true;
                        st->spilled_braces += cur == &spill;
                        in_word = false;
                        continue;
                }
                switch (c) {
                case '\\':
                        if (lx->p < lx->end)
                                put(cur, *lx->p++);
                        break;
                case '\'':
                        while (lx->p < lx->end && *lx->p != '\'') {
                                lx->line += *lx->p == '\n';
                                put(cur, *lx->p++);
                        }
                        if (lx->p >= lx->end)
                                return -EINVAL;
                        lx->p++;
                        break;
                case '"':
                        while (lx->p < lx->end && *lx->p != '"') {
                                char d = *lx->p++;
                                if (d == '\\' && lx->p < lx->end && strchr("$\"\\\n", *lx->p)) {
                                        d = *lx->p++;
                                        if (d == '\n') {
                                                lx->line++;
                                                continue;
                                        }
                                } else if (d == '$')
                                        cur->expands = true;
                                lx->line += d == '\n';
                                put(cur, d);
                        }
                        if (lx->p >= lx->end)
                                return -EINVAL;
                        lx->p++;
                        break;
                case '$':
                        cur->expands = true;
                        put(cur, c);
                        /* ${NAME}: the braces belong to the variable. */
                        if (lx->p < lx->end && *lx->p == '{')
                                while (lx->p < lx->end && *lx->p != '\n') {
                                        char d = *lx->p++;
                                        put(cur, d);
                                        if (d == '}')
                                                break;
                                }
                        break;
                case '|':
                case '&':
                case '<':
                case '>':
                        st->special = true;
                        put(cur, c);
                        break;
                default:
                        put(cur, c);
                }
        }
        if (st->overflow)
                st->last = spill;
        return 1;
}

typedef enum State {
        STATE_TOP,
        STATE_COND,     /* after `if search ...`, before `then` */
        STATE_BODY,
} State;

typedef struct Model {
        Stage1Kind kind;
        SearchList *list;
        grub_script_follow_fn follow;
        void *userdata;
        char *why;
        size_t whysz;
        State state;
        bool stop;
        ScriptEnd end;
        /* the open `if search` block */
        unsigned if_line;
        char var[32];
        char path[SEARCH_PATH_MAX];
        SearchAction action;    /* 0: none yet */
        bool booted;
} Model;

/* "line N: ..." into why: the one shape of every reason here. */
static void say_line(char *why, size_t whysz, unsigned line, const char *fmt, va_list ap)
        __attribute__((format(printf, 4, 0)));
static void say_line(char *why, size_t whysz, unsigned line, const char *fmt, va_list ap) {
        char msg[256];

        vsnprintf(msg, sizeof(msg), fmt, ap);
        snprintf(why, whysz, "line %u: %s", line, msg);
}

static int fail(Model *m, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(Model *m, unsigned line, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        say_line(m->why, m->whysz, line, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static bool is(const Word *w, const char *s) {
        return !w->expands && strcmp(w->text, s) == 0;
}

static bool is_any(const Word *w, const char *const *names) {
        for (; *names; names++)
                if (is(w, *names))
                        return true;
        return false;
}

static bool identifier(const char *s, size_t len) {
        if (len == 0 || len >= 32 || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
                        return false;
        return true;
}

static const char *const chainload_cmds[] = { "multiboot", "linux", "chainloader", NULL };
static const char *const config_cmds[] = { "configfile", "source", "normal", NULL };
static const char *const keywords[] = {
        "then", "else", "elif", "fi", "while", "until", "do", "done", "for", "in", "function",
        "menuentry", "submenu", "{", "}", "[", "!", NULL,
};

/* search's options as grub-core/lib/arg.c reads them (commands/search_wrap.c's table). */
static int parse_search(Model *m, const Statement *st, const Word *w, unsigned n) {
        bool set = false, file = false, dashdash = false;
        const Word *path = NULL;
        const char *var = "root";

        if (n == 0 || !is(&w[0], "search"))
                return fail(m, st->line, "only `if search ...; then' is modelled");
        if (st->overflow)
                return fail(m, st->line, "a search of more than %d words is not modelled", GRUB_SCRIPT_MAX_WORDS);
        for (unsigned i = 1; i < n; i++) {
                const char *t = w[i].text;

                if (w[i].expands || w[i].too_long)
                        return fail(m, st->line, "a search argument from a variable is not modelled");
                if (dashdash || t[0] != '-' || t[1] == 0) {
                        if (path)
                                return fail(m, st->line, "a search with more than one file is not modelled");
                        path = &w[i];
                } else if (strcmp(t, "--") == 0)
                        dashdash = true;
                else if (t[1] == '-') {
                        const char *eq = strchr(t, '=');
                        size_t len = eq ? (size_t) (eq - t - 2) : strlen(t) - 2;

                        if (len == 3 && strncmp(t + 2, "set", 3) == 0) {
                                set = true;
                                if (eq)
                                        var = eq + 1;
                                else if (i + 1 < n && w[i + 1].text[0] != '-')
                                        var = w[++i].text;
                        } else if (!eq && strcmp(t + 2, "file") == 0)
                                file = true;
                        else if (!eq && strcmp(t + 2, "no-floppy") == 0)
                                ;
                        else
                                return fail(m, st->line, "search option `%.40s' is not modelled", t);
                } else
                        for (const char *c = t + 1; *c; c++) {
                                if (*c == 's') {
                                        set = true;
                                        /* The last of a cluster may take the next word as its value. */
                                        if (!c[1] && i + 1 < n && (strlen(w[i + 1].text) < 2 || w[i + 1].text[0] != '-'))
                                                var = w[++i].text;
                                } else if (*c == 'f')
                                        file = true;
                                else if (*c != 'n')
                                        return fail(m, st->line, "search option `-%c' is not modelled", *c);
                        }
        }
        if (!file)
                return fail(m, st->line, "only a search by file (-f) is modelled");
        if (!set)
                return fail(m, st->line, "a search that sets no variable (-s) is not modelled");
        if (!identifier(var, strlen(var)))
                return fail(m, st->line, "search sets `%.40s', which is not a variable name", var);
        if (strcmp(var, "prefix") == 0)
                return fail(m, st->line, "a search that sets prefix is not modelled");
        if (!path)
                return fail(m, st->line, "search names no file");
        if (path->too_long || !search_path_valid(path->text))
                return fail(m, st->line, "search path `%.60s' is not modelled (an absolute path of printable "
                            "characters, no device, variable, `.' or `..', under %d bytes)",
                            path->text, SEARCH_PATH_MAX);
        /* Both fit: identifier() and search_path_valid() bound them. */
        memcpy(m->var, var, strlen(var) + 1);
        memcpy(m->path, path->text, strlen(path->text) + 1);
        m->action = 0;
        m->booted = false;
        return 0;
}

/* A loading command's file must be the one the search found: PATH when
 * the search set root, or ($VAR)PATH / (${VAR})PATH. */
static int body_path(Model *m, const Statement *st, const Word *cmd, const Word *arg) {
        char p1[40], p2[40];
        const char *t = arg->text;

        if (arg->too_long)
                return fail(m, st->line, "`%.20s' names a path longer than %d bytes", cmd->text, GRUB_SCRIPT_WORD_MAX);
        snprintf(p1, sizeof(p1), "($%s)", m->var);
        snprintf(p2, sizeof(p2), "(${%s})", m->var);
        if (arg->expands && strncmp(t, p1, strlen(p1)) == 0)
                t += strlen(p1);
        else if (arg->expands && strncmp(t, p2, strlen(p2)) == 0)
                t += strlen(p2);
        else if (arg->expands || t[0] == '(' || strcmp(m->var, "root") != 0)
                return fail(m, st->line, "`%.20s %.60s' is not a file on the device the search found", cmd->text,
                            arg->text);
        if (strchr(t, '$') || strcmp(t, m->path) != 0)
                return fail(m, st->line, "`%.20s' loads %.60s, not %.60s, which its search found", cmd->text, t,
                            m->path);
        return 0;
}

static int end_block(Model *m, const Statement *st) {
        int r;

        if (m->action == SEARCH_CHAINLOAD && !m->booted)
                return fail(m, st->line, "a block that loads %.60s without `boot' is not modelled", m->path);
        if (m->action) {
                r = search_list_add(m->list, m->kind, m->action, m->path);
                if (r == -E2BIG)
                        return fail(m, m->if_line, "more than %d search entries", SEARCH_MAX_ENTRIES);
                if (r < 0)
                        return fail(m, m->if_line, "the PVH stage 1 chainloading %.60s is not modelled", m->path);
        }
        m->state = STATE_TOP;
        return 0;
}

/* echo, insmod, set (of another variable than root, prefix and the one
 * the open search set): 1; 0 when the statement is something else. */
static int harmless(Model *m, const Statement *st, const Word *w, unsigned n) {
        const char *name = NULL, *eq;
        size_t len = 0;

        if (is(&w[0], "echo") || (is(&w[0], "insmod") && n == 2) || (is(&w[0], "set") && n == 1))
                return 1;
        if (is(&w[0], "set") && n == 2)
                name = w[1].text;
        else if (n == 1 && !w[0].expands && (eq = strchr(w[0].text, '=')) && identifier(w[0].text, (size_t) (eq - w[0].text)))
                name = w[0].text;       /* VAR=VALUE */
        if (!name)
                return 0;
        eq = strchr(name, '=');
        len = eq ? (size_t) (eq - name) : strlen(name);
        if (!identifier(name, len))
                return fail(m, st->line, "`set %.40s' is not modelled", name);
        if ((len == 4 && strncmp(name, "root", 4) == 0) || (len == 6 && strncmp(name, "prefix", 6) == 0) ||
            (m->state == STATE_BODY && strlen(m->var) == len && strncmp(name, m->var, len) == 0))
                return fail(m, st->line, "setting %.*s is not modelled", (int) len, name);
        return 1;
}

/* A top-level normal/configfile/source of a file in the memdisk. */
static int follow(Model *m, const Statement *st, const Word *w, unsigned n) {
        bool normal = is(&w[0], "normal");
        const char *t = w[1].text;

        if (normal && n == 1) {
                m->stop = true;         /* what GRUB does after the script anyway */
                return 0;
        }
        if (n != 2 || w[1].expands || w[1].too_long || strncmp(t, "(memdisk)/", 10) != 0)
                return fail(m, st->line, "`%.20s' at the top level of anything but one (memdisk) file is not modelled",
                            w[0].text);
        if (!m->follow)
                return fail(m, st->line, "`%.20s %.60s' in a followed file is not modelled (one level is followed)",
                            w[0].text, t);
        int r = m->follow(m->userdata, t + strlen("(memdisk)"), m->why, m->whysz);
        if (r < 0)
                return r;
        if (normal) {
                m->end = SCRIPT_END_NORMAL;
                m->stop = true;
        }
        return 0;
}

static int statement(Model *m, const Statement *st) {
        const Word *w = st->w;
        unsigned n = st->n;
        int r;

        if (n == 0)
                return 0;
        if (st->special)
                return fail(m, st->line, "`|', `&', `<' and `>' are not modelled");
        if (m->state == STATE_COND) {
                if (!is(&w[0], "then"))
                        return fail(m, st->line, "expected `then' after the search of line %u", m->if_line);
                m->state = STATE_BODY;
                w++, n--;
                if (n == 0)
                        return 0;
        }
        if (w[0].expands || w[0].too_long)
                return fail(m, st->line, "a command name from a variable is not modelled");

        if (is(&w[0], "if")) {
                if (m->state != STATE_TOP)
                        return fail(m, st->line, "an `if' inside an `if' is not modelled");
                r = parse_search(m, st, w + 1, n - 1);
                if (r < 0)
                        return r;
                m->state = STATE_COND;
                m->if_line = st->line;
                return 0;
        }
        if (is(&w[0], "fi")) {
                if (m->state != STATE_BODY || n != 1)
                        return fail(m, st->line, "`fi' without its `if ...; then' is not modelled");
                return end_block(m, st);
        }
        if (is_any(&w[0], keywords))
                return fail(m, st->line, "`%.20s' is not modelled", w[0].text);
        if (m->state == STATE_BODY && (is_any(&w[0], chainload_cmds) || is_any(&w[0], config_cmds))) {
                /* A kernel takes arguments after its file; a config file none. */
                SearchAction a = is_any(&w[0], chainload_cmds) ? SEARCH_CHAINLOAD : SEARCH_CONFIG;
                if (m->action)
                        return fail(m, st->line, "a second loading command in one block is not modelled");
                if (n < 2 || w[1].text[0] == '-' || (a == SEARCH_CONFIG && n != 2))
                        return fail(m, st->line, "`%.20s' without one file, or with options, is not modelled",
                                    w[0].text);
                r = body_path(m, st, &w[0], &w[1]);
                if (r < 0)
                        return r;
                m->action = a;
                return 0;
        }
        if (is(&w[0], "boot")) {
                /* Without a loaded file it fails, and the script goes on. */
                m->booted = m->booted || m->action == SEARCH_CHAINLOAD;
                return 0;
        }
        if (m->state == STATE_TOP && is_any(&w[0], config_cmds))
                return follow(m, st, w, n);
        if (m->state == STATE_TOP && is_any(&w[0], chainload_cmds))
                return fail(m, st->line, "`%.20s' outside an `if search' block is not modelled", w[0].text);
        r = harmless(m, st, w, n);
        if (r != 0)
                return r < 0 ? r : 0;
        return fail(m, st->line, "`%.20s' is not modelled", w[0].text);
}

int grub_script_model(const char *text, size_t len, Stage1Kind kind, SearchList *list, grub_script_follow_fn follow_fn,
                      void *userdata, ScriptEnd *ret_end, char *why, size_t whysz) {
        Model m = {
                .kind = kind,
                .list = list,
                .follow = follow_fn,
                .userdata = userdata,
                .why = why,
                .whysz = whysz,
                .end = SCRIPT_END_FALLTHROUGH,
        };
        Lexer lx = { .p = text, .end = text + strnlen(text, len), .line = 1 };
        Statement st;
        int r;

        while (!m.stop) {
                r = lex_statement(&lx, &st);
                if (r < 0)
                        return fail(&m, st.line, "unterminated quote");
                if (r == 0)
                        break;
                r = statement(&m, &st);
                if (r < 0)
                        return r;
        }
        if (m.state != STATE_TOP)
                return fail(&m, m.if_line, "`if' without `fi'");
        *ret_end = m.end;
        return 0;
}

/* --- The menu a grub.cfg builds (see grub-script.h) --------------------- */

typedef enum FrameKind {
        FRAME_IF,
        FRAME_LOOP,
        FRAME_FUNCTION,
        FRAME_ENTRY,    /* a menuentry or submenu body: not run while the file is read */
        FRAME_GROUP,    /* a bare { ... } */
} FrameKind;

typedef enum PlatformTest {
        PLATFORM_OTHER = 0,
        PLATFORM_IS_EFI,        /* [ "$grub_platform" = "efi" ]: false on a Xen stage 1 */
        PLATFORM_NOT_EFI,       /* [ "$grub_platform" != "efi" ]: true there */
} PlatformTest;

typedef struct Frame {
        FrameKind kind;
        PlatformTest test;      /* FRAME_IF */
        unsigned branch;        /* FRAME_IF: 0 the then branch, then one per elif/else */
        bool dead;              /* FRAME_IF: this branch is never taken on a Xen stage 1 */
        unsigned fn;            /* FRAME_FUNCTION: its index */
        unsigned nested;        /* FRAME_ENTRY: braces open inside it */
} Frame;

typedef struct Function {
        char name[32];
        bool defined;           /* its definition is reached */
        GrubMenuScan facts;     /* what a call does */
} Function;

typedef struct MenuScan {
        Frame stack[GRUB_MENU_MAX_DEPTH];
        unsigned depth;
        Function fn[GRUB_MENU_MAX_FUNCTIONS];
        unsigned n_fn;
        GrubMenuScan top;
        enum { PENDING_NONE, PENDING_FUNCTION, PENDING_ENTRY } pending; /* a `{' is due */
        unsigned pending_fn;
        grub_menu_exists_fn exists;
        void *userdata;
        char *why;
        size_t whysz;
} MenuScan;

static int scan_fail(MenuScan *s, unsigned line, int r, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int scan_fail(MenuScan *s, unsigned line, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        say_line(s->why, s->whysz, line, fmt, ap);
        va_end(ap);
        return r;
}

/* Do commands here run while the file is read?  Not in a dead branch,
 * not in an entry's body. */
static bool scan_live(const MenuScan *s) {
        for (unsigned i = 0; i < s->depth; i++)
                if (s->stack[i].dead || s->stack[i].kind == FRAME_ENTRY)
                        return false;
        return true;
}

/* Where facts go: the innermost function being defined, or the file. */
static GrubMenuScan *scan_target(MenuScan *s) {
        for (unsigned i = s->depth; i-- > 0;)
                if (s->stack[i].kind == FRAME_FUNCTION)
                        return &s->fn[s->stack[i].fn].facts;
        return &s->top;
}

static void first_line(uint32_t *at, unsigned line) {
        if (*at == 0)
                *at = line;
}

static int scan_push(MenuScan *s, unsigned line, Frame f) {
        if (s->depth >= GRUB_MENU_MAX_DEPTH)
                return scan_fail(s, line, -E2BIG, "blocks nested more than %d deep", GRUB_MENU_MAX_DEPTH);
        s->stack[s->depth++] = f;
        return 0;
}

static Frame *scan_top(MenuScan *s, FrameKind kind) {
        return s->depth > 0 && s->stack[s->depth - 1].kind == kind ? &s->stack[s->depth - 1] : NULL;
}

/* $VAR or ${VAR} after prefix, exactly. */
static bool is_var(const Word *w, size_t prefix, const char *var) {
        const char *t = w->text + prefix;
        size_t n = strlen(var);

        if (!w->expands || strlen(w->text) < prefix)
                return false;
        if (t[0] == '$' && strncmp(t + 1, var, n) == 0 && t[1 + n] == 0)
                return true;
        return t[0] == '$' && t[1] == '{' && strncmp(t + 2, var, n) == 0 && t[2 + n] == '}' && t[3 + n] == 0;
}

/* `[ "$grub_platform" = "efi" ]', also as `[ x$grub_platform = xefi ]'. */
static PlatformTest platform_test(const Word *const *w, unsigned n) {
        size_t pre;

        if (n != 5 || !is(w[0], "[") || !is(w[4], "]") || !(is(w[2], "=") || is(w[2], "==") || is(w[2], "!=")))
                return PLATFORM_OTHER;
        pre = strlen(w[3]->text) >= 3 ? strlen(w[3]->text) - 3 : 0;
        if (w[3]->expands || strcmp(w[3]->text + pre, "efi") != 0 || strncmp(w[1]->text, w[3]->text, pre) != 0 ||
            !is_var(w[1], pre, "grub_platform"))
                return PLATFORM_OTHER;
        return is(w[2], "!=") ? PLATFORM_NOT_EFI : PLATFORM_IS_EFI;
}

static void branch(Frame *f) {
        f->dead = (f->test == PLATFORM_IS_EFI && f->branch == 0) || (f->test == PLATFORM_NOT_EFI && f->branch > 0);
}

static bool relative_name(const char *t) {
        if (!*t || *t == '/' || strlen(t) >= SEARCH_PATH_MAX || strstr(t, ".."))
                return false;
        for (; *t; t++)
                if (*t < 0x21 || *t > 0x7e || *t == '$' || *t == '(' || *t == ')')
                        return false;
        return true;
}

/* source/configfile/... ARG: may it add entries we cannot see? */
static bool other_file_unsure(MenuScan *s, const Word *arg) {
        static const char *const dirs[] = { "${config_directory}/", "$config_directory/" };
        static const char *const prefixes[] = { "${prefix}/", "$prefix/" };

        if (!arg || arg->too_long)
                return true;
        for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
                if (strncmp(arg->text, prefixes[i], strlen(prefixes[i])) == 0 &&
                    !strchr(arg->text + strlen(prefixes[i]), '$'))
                        return false;   /* the stage 1's own */
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                const char *name = arg->text + strlen(dirs[i]);
                if (strncmp(arg->text, dirs[i], strlen(dirs[i])) == 0 && relative_name(name))
                        return !s->exists || s->exists(s->userdata, name);
        }
        return true;
}

static const char *const blscfg_cmds[] = { "blscfg", "bls_import", NULL };
static const char *const entry_cmds[] = { "menuentry", "submenu", NULL };
static const char *const reading_cmds[] = {
        "source", "configfile", ".", "extract_entries_source", "extract_entries_configfile",
        "extract_legacy_entries_source", "extract_legacy_entries_configfile", "legacy_source",
        "legacy_configfile", "syslinux_source", "syslinux_configfile", "normal", NULL,
};

/* A command at command position: w[0] with its arguments w[1..n). */
static int scan_command(MenuScan *s, unsigned line, const Word *const *w, unsigned n) {
        bool live = scan_live(s);
        GrubMenuScan *t = scan_target(s);

        if (w[0]->expands) {
                if (live)
                        first_line(&t->unsure_line, line);      /* could be anything */
        } else if (w[0]->too_long) {
                ;       /* longer than any command or function name we follow */
        } else if (is_any(w[0], blscfg_cmds)) {
                if (live)
                        first_line(&t->blscfg_line, line);
        } else if (is_any(w[0], entry_cmds)) {
                if (live) {
                        t->entries++;
                        first_line(&t->entry_line, line);
                }
                s->pending = PENDING_ENTRY;
        } else if (is_any(w[0], reading_cmds)) {
                /* `normal' alone re-reads the stage 1's own $prefix/grub.cfg. */
                bool own = is(w[0], "normal") && n == 1;
                if (live && !own && other_file_unsure(s, n > 1 ? w[1] : NULL))
                        first_line(&t->unsure_line, line);
        } else if ((is(w[0], "set") && n >= 2 && strncmp(w[1]->text, "prefix", 6) == 0 &&
                    (w[1]->text[6] == 0 || w[1]->text[6] == '=')) ||
                   strncmp(w[0]->text, "prefix=", 7) == 0) {
                if (live)
                        first_line(&t->unsure_line, line);
        } else
                for (unsigned i = 0; i < s->n_fn; i++)
                        if (s->fn[i].defined && is(w[0], s->fn[i].name)) {
                                const GrubMenuScan *f = &s->fn[i].facts;
                                if (!live)
                                        break;
                                if (f->blscfg_line)
                                        first_line(&t->blscfg_line, line);
                                if (f->entries) {
                                        t->entries += f->entries;
                                        first_line(&t->entry_line, line);
                                }
                                if (f->unsure_line)
                                        first_line(&t->unsure_line, line);
                                break;
                        }
        return 0;
}

static int scan_function(MenuScan *s, unsigned line, const Word *name) {
        unsigned i;

        if (!name || name->expands || name->brace || !identifier(name->text, strlen(name->text)))
                return scan_fail(s, line, -EINVAL, "a function without a plain name");
        for (i = 0; i < s->n_fn && strcmp(s->fn[i].name, name->text) != 0; i++)
                ;
        if (i == s->n_fn) {
                if (s->n_fn >= GRUB_MENU_MAX_FUNCTIONS)
                        return scan_fail(s, line, -E2BIG, "more than %d functions", GRUB_MENU_MAX_FUNCTIONS);
                s->n_fn++;
        }
        /* A new definition replaces the old one. */
        s->fn[i] = (Function) { .defined = scan_live(s) };
        memcpy(s->fn[i].name, name->text, strlen(name->text) + 1);     /* identifier(): < 32 bytes */
        s->pending = PENDING_FUNCTION;
        s->pending_fn = i;
        return 0;
}

static int scan_statement(MenuScan *s, const Statement *st) {
        const Word *w[GRUB_SCRIPT_MAX_WORDS + 1];
        unsigned n = 0, cmd_at = 0;
        bool cmd = true;
        int r;

        for (unsigned i = 0; i < st->n; i++)
                w[n++] = &st->w[i];
        if (st->overflow) {
                /* Only a last word that is a brace is followed past the kept words. */
                if (st->spilled_braces > (st->last.brace ? 1u : 0u))
                        return scan_fail(s, st->line, -E2BIG, "a brace among more than %d words",
                                         GRUB_SCRIPT_MAX_WORDS);
                if (st->last.brace)
                        w[n++] = &st->last;
        }
        if (st->special) {
                /* GRUB's grammar has no pipes or redirections: the statement fails. */
                for (unsigned i = 0; i < n; i++)
                        if (w[i]->brace)
                                return scan_fail(s, st->line, -EINVAL, "a brace in a statement with `|', `&', `<' or `>'");
                return 0;
        }
        for (unsigned i = 0; i < n; i++) {
                const Word *x = w[i];
                Frame *f;

                if (s->depth > 0 && s->stack[s->depth - 1].kind == FRAME_ENTRY) {
                        f = &s->stack[s->depth - 1];
                        if (x->brace && x->text[0] == '{')
                                f->nested++;
                        else if (x->brace && f->nested > 0)
                                f->nested--;
                        else if (x->brace)
                                s->depth--;
                        continue;
                }
                if (x->brace && x->text[0] == '{') {
                        Frame nf = { .kind = FRAME_GROUP };
                        if (s->pending == PENDING_ENTRY)
                                nf.kind = FRAME_ENTRY;
                        else if (s->pending == PENDING_FUNCTION)
                                nf = (Frame) { .kind = FRAME_FUNCTION, .fn = s->pending_fn };
                        else if (!cmd)
                                return scan_fail(s, st->line, -EINVAL, "a `{' in the arguments of a command");
                        s->pending = PENDING_NONE;
                        r = scan_push(s, st->line, nf);
                        if (r < 0)
                                return r;
                        cmd = true;
                        continue;
                }
                if (x->brace) {
                        if (!scan_top(s, FRAME_FUNCTION) && !scan_top(s, FRAME_GROUP))
                                return scan_fail(s, st->line, -EINVAL, "a `}' without its `{'");
                        s->depth--;
                        cmd = true;
                        continue;
                }
                if (s->pending != PENDING_NONE || !cmd)
                        continue;       /* an argument, or a title before an entry's `{' */

                /* At command position. */
                if (is(x, "if") || is(x, "while") || is(x, "until")) {
                        Frame nf = { .kind = is(x, "if") ? FRAME_IF : FRAME_LOOP };
                        if (nf.kind == FRAME_IF)
                                nf.test = platform_test(w + i + 1, n - i - 1);
                        r = scan_push(s, st->line, nf);
                        if (r < 0)
                                return r;
                } else if (is(x, "then") || is(x, "elif") || is(x, "else")) {
                        f = scan_top(s, FRAME_IF);
                        if (!f)
                                return scan_fail(s, st->line, -EINVAL, "`%s' outside an `if'", x->text);
                        if (!is(x, "then"))
                                f->branch++;
                        branch(f);
                } else if (is(x, "fi") || is(x, "done")) {
                        if (!scan_top(s, is(x, "fi") ? FRAME_IF : FRAME_LOOP))
                                return scan_fail(s, st->line, -EINVAL, "`%s' without its block", x->text);
                        s->depth--;
                        cmd = false;
                } else if (is(x, "do")) {
                        if (!scan_top(s, FRAME_LOOP))
                                return scan_fail(s, st->line, -EINVAL, "`do' outside a loop");
                } else if (is(x, "for")) {
                        r = scan_push(s, st->line, (Frame) { .kind = FRAME_LOOP });
                        if (r < 0)
                                return r;
                        cmd = false;    /* for VAR in WORDS */
                } else if (is(x, "function")) {
                        r = scan_function(s, st->line, i + 1 < n ? w[i + 1] : NULL);
                        if (r < 0)
                                return r;
                        i++;
                } else if (is(x, "!")) {
                        ;               /* the command follows */
                } else if (is(x, "case") || is(x, "select") || is(x, "[[")) {
                        return scan_fail(s, st->line, -EINVAL, "`%s' is not followed", x->text);
                } else {
                        cmd_at = i;
                        /* Its arguments run up to the next brace. */
                        unsigned end = i + 1;
                        while (end < n && !w[end]->brace)
                                end++;
                        r = scan_command(s, st->line, w + cmd_at, end - cmd_at);
                        if (r < 0)
                                return r;
                        cmd = false;
                }
        }
        return 0;
}

int grub_menu_scan(const char *text, size_t len, grub_menu_exists_fn exists, void *userdata, GrubMenuScan *ret,
                   char *why, size_t whysz) {
        MenuScan s = { .exists = exists, .userdata = userdata, .why = why, .whysz = whysz };
        Lexer lx = { .p = text, .end = text + strnlen(text, len), .line = 1 };
        Statement st;
        int r;

        for (;;) {
                r = lex_statement(&lx, &st);
                if (r < 0)
                        return scan_fail(&s, st.line, -EINVAL, "unterminated quote");
                if (r == 0)
                        break;
                r = scan_statement(&s, &st);
                if (r < 0)
                        return r;
        }
        if (s.depth > 0 || s.pending != PENDING_NONE)
                return scan_fail(&s, lx.line, -EINVAL, "the file ends inside a block");
        *ret = s.top;
        return 0;
}
