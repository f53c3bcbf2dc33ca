/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The GRUB script model: what a config searches, in order, and every
 * shape it does not model refused with its line.  The first case is
 * Debian 12's memdisk grub.cfg of grub-x86_64-xen.bin, as shipped.
 */
#include <errno.h>
#include <string.h>

#include "selector/grub-script.h"
#include "shared/test-util.h"

static const char debian_x86_64[] =
        "# First search for a suitable grub to chainload\n"
        "if search -s -f /boot/xen/pvboot-x86_64.elf ; then\n"
        "\techo \"Chainloading (${root})/boot/xen/pvboot-x86_64.elf\"\n"
        "\tmultiboot \"/boot/xen/pvboot-x86_64.elf\"\n"
        "\tboot\n"
        "fi\n"
        "\n"
        "if search -s -f /xen/pvboot-x86_64.elf ; then\n"
        "\techo \"Chainloading (${root})/xen/pvboot-x86_64.elf\"\n"
        "\tmultiboot \"/xen/pvboot-x86_64.elf\"\n"
        "\tboot\n"
        "fi\n"
        "\n"
        "# Second try looking for grub.cfg\n"
        "\n"
        "if search -s -f /boot/grub/grub.cfg ; then\n"
        "\techo \"Reading (${root})/boot/grub/grub.cfg\"\n"
        "\tconfigfile /boot/grub/grub.cfg\n"
        "fi\n"
        "\n"
        "if search -s -f /grub/grub.cfg ; then\n"
        "\techo \"Reading (${root})/grub/grub.cfg\"\n"
        "\tconfigfile /grub/grub.cfg\n"
        "fi\n";

typedef struct Case {
        const char *name;
        Stage1Kind kind;
        const char *text;
        const char *want;       /* the list described, or "!" + a fragment of the error */
} Case;

static const Case cases[] = {
        { "debian", STAGE1_X86_64, debian_x86_64,
          "chainload /boot/xen/pvboot-x86_64.elf, chainload /xen/pvboot-x86_64.elf, "
          "config /boot/grub/grub.cfg, config /grub/grub.cfg" },
        { "one-line", STAGE1_X86_64, "if search -s -f /a; then multiboot /a; boot; fi",
          "chainload /a" },
        { "then-on-its-own-line", STAGE1_I386, "if search -s -f /a\nthen\n configfile /a\nfi\n", "config /a" },
        { "then-with-command", STAGE1_I386, "if search -s -f /a;\nthen configfile /a\nfi", "config /a" },
        { "set-forms", STAGE1_X86_64,
          "if search --set=root --file /a; then configfile /a; fi\n"
          "if search --set root -f /b; then configfile /b; fi\n"
          "if search -s root -f /c; then configfile /c; fi\n"
          "if search -sf /d; then configfile /d; fi\n"
          "if search -n -fs root /e; then source /e; fi\n"
          "if search --no-floppy -s -f -- /f; then normal /f; fi\n",
          "config /a, config /b, config /c, config /d, config /e, config /f" },
        { "other-variable", STAGE1_X86_64,
          "if search --set=dev -f /boot/x.elf; then\n"
          "  linux ($dev)/boot/x.elf console=hvc0 root=/dev/xvda1\n  boot\nfi\n"
          "if search -s dev2 -f /g.cfg; then configfile (${dev2})/g.cfg; fi",
          "chainload /boot/x.elf, config /g.cfg" },
        { "root-explicit", STAGE1_X86_64, "if search -s -f /a; then chainloader ($root)/a; boot; fi", "chainload /a" },
        { "harmless", STAGE1_X86_64,
          "# comment ; if\n  \n insmod part_msdos\nset timeout=5\nset\npager=1\necho 'a;b' \"c\" d\\ e # x\n"
          "if search -s -f /a ; then # why not\n  set debug=all\n  echo $root; configfile /a\n  boot\nfi\n",
          "config /a" },
        { "continued-line", STAGE1_X86_64, "if search -s \\\n -f /a; then\nconfigfile \\\n/a\nfi", "config /a" },
        { "quoted", STAGE1_X86_64, "if search -s -f '/a b'; then configfile \"/a b\"; fi", "config /a b" },
        { "body-without-action", STAGE1_X86_64, "if search -s -f /a; then echo found; fi", "nothing" },
        { "empty", STAGE1_X86_64, "", "nothing" },
        { "comments-only", STAGE1_X86_64, "# nothing here\n\n;;\n", "nothing" },
        { "nul-ends-the-script", STAGE1_X86_64, "if search -s -f /a; then configfile /a; fi\n\0garbage here",
          "config /a" },
        { "pvh-configs", STAGE1_PVH, "if search -s -f /boot/grub/grub.cfg; then configfile /boot/grub/grub.cfg; fi",
          "config /boot/grub/grub.cfg" },
        { "normal-without-file-stops", STAGE1_X86_64,
          "if search -s -f /a; then configfile /a; fi\nnormal\nthis is | never read", "config /a" },

        /* Not modelled: each with its line. */
        { "unknown-command", STAGE1_X86_64, "echo hi\nterminal_output console\n",
          "!line 2: `terminal_output' is not modelled" },
        { "unknown-in-body", STAGE1_X86_64, "if search -s -f /a; then\n  xen_hypercall x\nfi",
          "!line 2: `xen_hypercall' is not modelled" },
        { "nested-if", STAGE1_X86_64, "if search -s -f /a; then\nif search -s -f /b; then configfile /b; fi\nfi",
          "!line 2: an `if' inside an `if'" },
        { "else", STAGE1_X86_64, "if search -s -f /a; then configfile /a\nelse\n configfile /b\nfi",
          "!line 2: `else' is not modelled" },
        { "not-search", STAGE1_X86_64, "if test -f /a; then configfile /a; fi", "!only `if search" },
        { "negated", STAGE1_X86_64, "if ! search -s -f /a; then configfile /a; fi", "!only `if search" },
        { "missing-then", STAGE1_X86_64, "if search -s -f /a\nconfigfile /a\nfi", "!line 2: expected `then'" },
        { "missing-fi", STAGE1_X86_64, "\nif search -s -f /a; then\nconfigfile /a\n", "!line 2: `if' without `fi'" },
        { "stray-fi", STAGE1_X86_64, "fi", "!`fi' without" },
        { "no-set", STAGE1_X86_64, "if search -f /a; then configfile /a; fi", "!sets no variable" },
        { "by-label", STAGE1_X86_64, "if search -s -l root; then configfile /a; fi", "!option `-l'" },
        { "by-uuid", STAGE1_X86_64, "if search --fs-uuid -s 1234; then configfile /a; fi", "!option `--fs-uuid'" },
        { "hint", STAGE1_X86_64, "if search -s -f --hint=hd0 /a; then configfile /a; fi", "!option `--hint=hd0'" },
        { "no-file", STAGE1_X86_64, "if search -s /a; then configfile /a; fi", "!only a search by file" },
        { "two-files", STAGE1_X86_64, "if search -s -f /a /b; then configfile /a; fi", "!more than one file" },
        { "s-eats-the-path", STAGE1_X86_64, "if search -f -s /a; then configfile /a; fi",
          "!sets `/a', which is not a variable name" },
        { "sets-prefix", STAGE1_X86_64, "if search --set=prefix -f /a; then configfile /a; fi", "!sets prefix" },
        { "dotdot", STAGE1_X86_64, "if search -s -f /boot/../a; then configfile /boot/../a; fi", "!search path" },
        { "device-path", STAGE1_X86_64, "if search -s -f (hd0)/a; then configfile /a; fi", "!search path" },
        { "variable-path", STAGE1_X86_64, "if search -s -f $p; then configfile $p; fi", "!from a variable" },
        { "other-file", STAGE1_X86_64, "if search -s -f /boot/.stamp; then multiboot /boot/x.elf; boot; fi",
          "!loads /boot/x.elf, not /boot/.stamp" },
        { "no-boot", STAGE1_X86_64, "if search -s -f /a; then\n multiboot /a\nfi", "!without `boot'" },
        { "two-actions", STAGE1_X86_64, "if search -s -f /a; then configfile /a; configfile /a; fi",
          "!a second loading command" },
        { "bare-path-other-var", STAGE1_X86_64, "if search -s dev -f /a; then configfile /a; fi",
          "!not a file on the device the search found" },
        { "other-device", STAGE1_X86_64, "if search -s -f /a; then configfile (hd0,msdos1)/a; fi",
          "!not a file on the device" },
        { "single-quoted-root", STAGE1_X86_64, "if search -s -f /a; then configfile '($root)/a'; fi",
          "!not a file on the device" },
        { "multiboot-options", STAGE1_X86_64, "if search -s -f /a; then multiboot --quirk-bad-kludge /a; boot; fi",
          "!with options" },
        { "set-root", STAGE1_X86_64, "set root=hd0\n", "!line 1: setting root" },
        { "assign-prefix", STAGE1_X86_64, "prefix=(hd0)/boot/grub\n", "!setting prefix" },
        { "set-search-var-in-body", STAGE1_X86_64, "if search -s dev -f /a; then\nset dev=x\nconfigfile ($dev)/a\nfi",
          "!line 2: setting dev" },
        { "pipe", STAGE1_X86_64, "echo a | b", "!`|'" },
        { "unterminated", STAGE1_X86_64, "echo 'abc\n", "!unterminated quote" },
        { "menuentry", STAGE1_X86_64, "menuentry x {\n configfile /a\n}", "!line 1: `menuentry' is not modelled" },
        { "chainload-outside", STAGE1_X86_64, "multiboot /a\nboot", "!outside an `if search' block" },
        { "toplevel-configfile", STAGE1_X86_64, "configfile /boot/grub/grub.cfg",
          "!anything but one (memdisk) file" },
        { "follow-without-follower", STAGE1_X86_64, "normal (memdisk)/grub.cfg", "!one level is followed" },
        { "pvh-chainload", STAGE1_PVH, "if search -s -f /a; then multiboot /a; boot; fi",
          "!the PVH stage 1 chainloading /a" },
        { "too-many-words", STAGE1_X86_64,
          "if search -s -n -n -n -n -n -n -n -n -n -n -n -n -n -n -f /a; then configfile /a; fi",
          "!more than 16 words" },
        { "variable-command", STAGE1_X86_64, "$cmd /a", "!a command name from a variable" },
};

static void test_cases(void) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const Case *c = &cases[i];
                size_t len = strcmp(c->name, "nul-ends-the-script") == 0 ? 80 : strlen(c->text);
                char why[512] = "", d[2048];
                SearchList l;
                ScriptEnd end = (ScriptEnd) 99;
                int r;

                fprintf(stderr, "case %s\n", c->name);
                search_list_init(&l, true, "test");
                r = grub_script_model(c->text, len, c->kind, &l, NULL, NULL, &end, why, sizeof(why));
                if (c->want[0] == '!') {
                        if (r >= 0 || !strstr(why, c->want + 1))
                                fprintf(stderr, "  r=%d why=\"%s\"\n", r, why);
                        CHECK(r < 0);
                        CHECK(strstr(why, c->want + 1));
                        CHECK(strncmp(why, "line ", 5) == 0);
                        continue;
                }
                if (r < 0)
                        fprintf(stderr, "  %s\n", why);
                CHECK_EQ(r, 0);
                CHECK_EQ(end, SCRIPT_END_FALLTHROUGH);
                search_list_describe(&l, d, sizeof(d));
                CHECK_STREQ(d, c->want);
                CHECK_EQ(search_list_check(&l, c->kind), 0);
        }
}

static void test_entry_bound(void) {
        char text[4096] = "", why[256];
        SearchList l;
        ScriptEnd end;

        for (unsigned i = 0; i <= SEARCH_MAX_ENTRIES; i++)
                strcat(text, "if search -s -f /g; then configfile /g; fi\n");
        search_list_init(&l, true, "test");
        CHECK_EQ(grub_script_model(text, strlen(text), STAGE1_I386, &l, NULL, NULL, &end, why, sizeof(why)), -EINVAL);
        CHECK(strstr(why, "line 17: more than 16 search entries"));
}

/* The follower: one memdisk file, named by the test. */
typedef struct Follow {
        unsigned calls;
        char last[64];
        int answer;
} Follow;

static int follow(void *userdata, const char *path, char *why, size_t whysz) {
        Follow *f = userdata;
        f->calls++;
        snprintf(f->last, sizeof(f->last), "%s", path);
        if (f->answer < 0)
                snprintf(why, whysz, "memdisk says no");
        return f->answer;
}

static void test_follow(void) {
        SearchList l;
        ScriptEnd end;
        char why[256], d[512];
        Follow f = { 0 };

        /* Debian's embedded config: `normal (memdisk)/grub.cfg`, then nothing. */
        search_list_init(&l, true, "test");
        CHECK_EQ(grub_script_model("normal (memdisk)/grub.cfg\nterminal_output bogus\n", 48, STAGE1_X86_64, &l, follow,
                                   &f, &end, why, sizeof(why)), 0);
        CHECK_EQ(f.calls, 1u);
        CHECK_STREQ(f.last, "/grub.cfg");
        CHECK_EQ(end, SCRIPT_END_NORMAL);

        /* configfile and source come back: what follows still counts. */
        f = (Follow) { 0 };
        const char *t = "configfile (memdisk)/a.cfg\nsource (memdisk)/b/c.cfg\n"
                        "if search -s -f /x; then configfile /x; fi\n";
        CHECK_EQ(grub_script_model(t, strlen(t), STAGE1_X86_64, &l, follow, &f, &end, why, sizeof(why)), 0);
        CHECK_EQ(f.calls, 2u);
        CHECK_STREQ(f.last, "/b/c.cfg");
        CHECK_EQ(end, SCRIPT_END_FALLTHROUGH);
        search_list_describe(&l, d, sizeof(d));
        CHECK_STREQ(d, "config /x");

        /* The follower's failure is the model's, its words kept. */
        f = (Follow) { .answer = -ENOENT };
        CHECK_EQ(grub_script_model("normal (memdisk)/grub.cfg", 25, STAGE1_X86_64, &l, follow, &f, &end, why,
                                   sizeof(why)), -ENOENT);
        CHECK_STREQ(why, "memdisk says no");

        /* Only (memdisk) files, and only by name. */
        f = (Follow) { 0 };
        CHECK_EQ(grub_script_model("normal (hd0)/grub.cfg", 21, STAGE1_X86_64, &l, follow, &f, &end, why,
                                   sizeof(why)), -EINVAL);
        CHECK_EQ(grub_script_model("normal $prefix/grub.cfg", 23, STAGE1_X86_64, &l, follow, &f, &end, why,
                                   sizeof(why)), -EINVAL);
        CHECK_EQ(f.calls, 0u);
}

int main(void) {
        test_cases();
        test_entry_bound();
        test_follow();
        return 0;
}
