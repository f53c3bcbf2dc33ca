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

/* --- The menu scan ----------------------------------------------------- */

/*
 * What Fedora's grub2-mkconfig writes with GRUB_ENABLE_BLSCFG=true (the
 * 00_header, 10_linux, 30_uefi-firmware and 41_custom parts, cut to what
 * matters here): no menuentry reached on a Xen stage 1, blscfg at line 38.
 */
static const char fedora_blscfg[] =
        "#\n"
        "# DO NOT EDIT THIS FILE\n"
        "#\n"
        "### BEGIN /etc/grub.d/00_header ###\n"
        "set pager=1\n"
        "if [ -f ${config_directory}/grubenv ]; then\n"
        "  load_env -f ${config_directory}/grubenv\n"
        "elif [ -s $prefix/grubenv ]; then\n"
        "  load_env\n"
        "fi\n"
        "if [ \"${next_entry}\" ] ; then\n"
        "   set default=\"${next_entry}\"\n"
        "   set next_entry=\n"
        "   save_env next_entry\n"
        "else\n"
        "   set default=\"${saved_entry}\"\n"
        "fi\n"
        "function savedefault {\n"
        "  if [ -z \"${boot_once}\" ]; then\n"
        "    saved_entry=\"${chosen}\"\n"
        "    save_env saved_entry\n"
        "  fi\n"
        "}\n"
        "function load_video {\n"
        "  insmod all_video\n"
        "}\n"
        "terminal_output console\n"
        "set timeout=5\n"
        "### END /etc/grub.d/00_header ###\n"
        "### BEGIN /etc/grub.d/10_linux ###\n"
        "insmod part_msdos\n"
        "insmod ext2\n"
        "set root='hd0,msdos1'\n"
        "search --no-floppy --fs-uuid --set=root 3f1c2f6e-0f1a-4a7e-9b1e-1c2d3e4f5a6b\n"
        "# The entries for this menu are automatically generated by grub2-mkconfig\n"
        "# from /boot/loader/entries, and the blscfg command reads them at boot time.\n"
        "insmod blscfg\n"
        "blscfg\n"
        "### END /etc/grub.d/10_linux ###\n"
        "### BEGIN /etc/grub.d/30_uefi-firmware ###\n"
        "if [ \"$grub_platform\" = \"efi\" ]; then\n"
        "\tfwsetup --is-supported\n"
        "\tif [ \"$?\" = 0 ]; then\n"
        "\t\tmenuentry 'UEFI Firmware Settings' $menuentry_id_option 'uefi-firmware' {\n"
        "\t\t\tfwsetup\n"
        "\t\t}\n"
        "\tfi\n"
        "fi\n"
        "### END /etc/grub.d/30_uefi-firmware ###\n"
        "### BEGIN /etc/grub.d/41_custom ###\n"
        "if [ -f  ${config_directory}/custom.cfg ]; then\n"
        "  source ${config_directory}/custom.cfg\n"
        "elif [ -z \"${config_directory}\" -a -f  $prefix/custom.cfg ]; then\n"
        "  source $prefix/custom.cfg;\n"
        "fi\n"
        "### END /etc/grub.d/41_custom ###\n";

typedef struct MenuCase {
        const char *name;
        const char *text;
        int r;                          /* 0, or the error */
        unsigned blscfg, entries, unsure;       /* lines (entries: the count) */
        const char *why;                /* a fragment of the error */
} MenuCase;

static const MenuCase menu_cases[] = {
        { "fedora", fedora_blscfg, 0, 38, 0, 0, NULL },
        { "blscfg-only", "blscfg\n", 0, 1, 0, 0, NULL },
        { "blscfg-and-menuentry", "set timeout=5\nblscfg\nmenuentry 'Rescue' {\n  linux /vmlinuz-rescue\n}\n", 0, 2, 1,
          0, NULL },
        { "submenu-counts", "blscfg\nsubmenu 'More' { menuentry a { true; }; menuentry b { true; } }\n", 0, 1, 1, 0,
          NULL },
        { "bls_import", "bls_import\n", 0, 1, 0, 0, NULL },
        { "in-an-if", "if [ -d /loader/entries ]; then\n  blscfg\nelse\n  echo none\nfi\n", 0, 2, 0, 0, NULL },
        { "then-on-one-line", "if true; then blscfg; fi", 0, 1, 0, 0, NULL },
        { "as-the-condition", "if blscfg; then echo ok; fi", 0, 1, 0, 0, NULL },
        { "in-an-else", "if false; then echo; else blscfg; fi", 0, 1, 0, 0, NULL },
        { "in-a-loop", "for x in a b; do\n blscfg\ndone\nwhile false; do echo; done", 0, 2, 0, 0, NULL },
        { "negated", "if ! blscfg; then echo failed; fi", 0, 1, 0, 0, NULL },
        { "function-called", "function bls {\n  insmod blscfg\n  blscfg\n}\necho\nbls\n", 0, 6, 0, 0, NULL },
        { "function-one-line", "function bls { blscfg; }\nbls", 0, 2, 0, 0, NULL },
        { "function-brace-next-line", "function bls\n{\n blscfg\n}\nbls\n", 0, 5, 0, 0, NULL },
        { "function-never-called", "function bls {\n  blscfg\n}\nmenuentry x { true; }\n", 0, 0, 1, 0, NULL },
        { "function-called-before-defined", "bls\nfunction bls { blscfg; }\n", 0, 0, 0, 0, NULL },
        { "function-defines-entries", "function m { menuentry a { true; }; }\nblscfg\nm\n", 0, 2, 1, 0, NULL },
        { "function-in-function", "function a { blscfg; }\nfunction b { a; }\nb\n", 0, 3, 0, 0, NULL },
        { "blscfg-in-entry-body", "menuentry 'BLS' {\n  blscfg\n}\n", 0, 0, 1, 0, NULL },
        { "efi-branch-dead", "blscfg\nif [ \"$grub_platform\" = \"efi\" ]; then menuentry fw { fwsetup; }; fi\n", 0, 1,
          0, 0, NULL },
        { "efi-x-form", "blscfg\nif [ x$grub_platform = xefi ]; then menuentry fw { fwsetup; }; fi\n", 0, 1, 0, 0,
          NULL },
        { "efi-else-live", "if [ \"${grub_platform}\" == efi ]; then blscfg; else menuentry a { true; }; fi\n", 0, 0,
          1, 0, NULL },
        { "not-efi-then-live", "if [ \"$grub_platform\" != \"efi\" ]; then blscfg; else menuentry a { true; }; fi\n",
          0, 1, 0, 0, NULL },
        { "pc-branch-counts", "blscfg\nif [ \"$grub_platform\" = \"pc\" ]; then menuentry a { true; }; fi\n", 0, 1,
          1, 0, NULL },
        /* Words that are not commands. */
        { "comment", "# blscfg\nmenuentry a { true; } # blscfg\n", 0, 0, 1, 0, NULL },
        { "quoted-arguments", "echo \"blscfg\"\necho 'run blscfg'\nset default=\"blscfg\"\n"
          "menuentry 'blscfg' --id blscfg { blscfg; }\n", 0, 0, 1, 0, NULL },
        { "word-containing", "blscfg2\nx-blscfg\nblscfg_helper\n", 0, 0, 0, 0, NULL },
        { "for-list", "for x in blscfg menuentry; do echo $x; done\n", 0, 0, 0, 0, NULL },
        { "continued-line", "echo a \\\nblscfg\n", 0, 0, 0, 0, NULL },
        { "glued-braces", "blscfg\nmenuentry a{true}\n", 0, 1, 1, 0, NULL },
        { "variable-braces", "blscfg\necho ${root}/x \"${a}\" ${b}c\n", 0, 1, 0, 0, NULL },
        { "pipe-fails", "blscfg | menuentry\n", 0, 0, 0, 0, NULL },
        /* Where entries may come from that we do not see. */
        { "config-dir-missing", "blscfg\nsource ${config_directory}/custom.cfg\n", 0, 1, 0, 0, NULL },
        { "config-dir-present", "blscfg\nsource $config_directory/user.cfg\n", 0, 1, 0, 2, NULL },
        { "prefix-is-the-stage1s", "blscfg\nsource $prefix/custom.cfg\nconfigfile ${prefix}/x.cfg\nnormal\n", 0, 1,
          0, 0, NULL },
        { "absolute-source", "blscfg\nconfigfile /boot/grub2/other.cfg\n", 0, 1, 0, 2, NULL },
        { "variable-source", "blscfg\nsource ${config_directory}/$name\n", 0, 1, 0, 2, NULL },
        { "dotdot-source", "blscfg\nsource ${config_directory}/../x.cfg\n", 0, 1, 0, 2, NULL },
        { "variable-command", "blscfg\n$cmd\n", 0, 1, 0, 2, NULL },
        { "set-prefix", "set prefix=($root)/boot/grub2\ninsmod blscfg\nblscfg\n", 0, 3, 0, 1, NULL },
        { "prefix-assign", "prefix=/x\nblscfg\n", 0, 2, 0, 1, NULL },
        { "extract", "blscfg\nextract_entries_source /x.cfg\n", 0, 1, 0, 2, NULL },
        /* Shapes not followed: nothing known. */
        { "unterminated-quote", "blscfg\necho 'x\n", -EINVAL, 0, 0, 0, "unterminated quote" },
        { "stray-brace", "blscfg\n}\n", -EINVAL, 0, 0, 0, "without its" },
        { "unclosed-if", "if true; then\nblscfg\n", -EINVAL, 0, 0, 0, "ends inside a block" },
        { "unclosed-entry", "menuentry a {\nlinux /x\n", -EINVAL, 0, 0, 0, "ends inside a block" },
        { "fi-without-if", "fi\n", -EINVAL, 0, 0, 0, "`fi' without its block" },
        { "then-outside-if", "then blscfg\n", -EINVAL, 0, 0, 0, "outside an `if'" },
        { "brace-in-arguments", "echo a { b }\n", -EINVAL, 0, 0, 0, "arguments of a command" },
        { "case", "case x in\n", -EINVAL, 0, 0, 0, "not followed" },
        { "function-no-name", "function { blscfg; }\n", -EINVAL, 0, 0, 0, "plain name" },
};

static bool exists_user_cfg(void *userdata, const char *name) {
        unsigned *calls = userdata;
        (*calls)++;
        return strcmp(name, "user.cfg") == 0;
}

static void test_menu_cases(void) {
        for (size_t i = 0; i < sizeof(menu_cases) / sizeof(menu_cases[0]); i++) {
                const MenuCase *c = &menu_cases[i];
                GrubMenuScan m = { 99, 99, 99, 99 };
                char why[256] = "";
                unsigned calls = 0;
                int r;

                fprintf(stderr, "menu case %s\n", c->name);
                r = grub_menu_scan(c->text, strlen(c->text), exists_user_cfg, &calls, &m, why, sizeof(why));
                if (r != c->r)
                        fprintf(stderr, "  r=%d why=\"%s\"\n", r, why);
                CHECK_EQ(r, c->r);
                if (r < 0) {
                        CHECK(strncmp(why, "line ", 5) == 0);
                        CHECK(strstr(why, c->why));
                        continue;
                }
                if (m.blscfg_line != c->blscfg || m.entries != c->entries || m.unsure_line != c->unsure)
                        fprintf(stderr, "  blscfg %u entries %u (line %u) unsure %u\n", m.blscfg_line, m.entries,
                                m.entry_line, m.unsure_line);
                CHECK_EQ(m.blscfg_line, c->blscfg);
                CHECK_EQ(m.entries, c->entries);
                CHECK_EQ(m.unsure_line, c->unsure);
                CHECK_EQ(m.entry_line != 0, m.entries != 0);
        }
}

static void test_menu_exists(void) {
        GrubMenuScan m;
        char why[256];
        unsigned calls = 0;

        /* Fedora's 41_custom asks for custom.cfg next to the grub.cfg, once. */
        CHECK_EQ(grub_menu_scan(fedora_blscfg, strlen(fedora_blscfg), exists_user_cfg, &calls, &m, why, sizeof(why)), 0);
        CHECK_EQ(calls, 1u);
        /* Without a lookup every such file counts as there. */
        CHECK_EQ(grub_menu_scan(fedora_blscfg, strlen(fedora_blscfg), NULL, NULL, &m, why, sizeof(why)), 0);
        CHECK_EQ(m.unsure_line, 52u);
        CHECK_EQ(m.blscfg_line, 38u);
}

static void test_menu_bounds(void) {
        static char big[GRUB_MENU_SCAN_MAX + 1];
        GrubMenuScan m;
        char why[256];
        size_t n = 0;

        /* Deep nesting stops at the bound. */
        for (unsigned i = 0; i <= GRUB_MENU_MAX_DEPTH; i++)
                n += (size_t) snprintf(big + n, sizeof(big) - n, "if true; then\n");
        CHECK_EQ(grub_menu_scan(big, n, NULL, NULL, &m, why, sizeof(why)), -E2BIG);
        CHECK(strstr(why, "nested more than 32 deep"));

        /* Too many functions. */
        n = 0;
        for (unsigned i = 0; i <= GRUB_MENU_MAX_FUNCTIONS; i++)
                n += (size_t) snprintf(big + n, sizeof(big) - n, "function f%u { true; }\n", i);
        CHECK_EQ(grub_menu_scan(big, n, NULL, NULL, &m, why, sizeof(why)), -E2BIG);
        CHECK(strstr(why, "more than 32 functions"));

        /* A redefinition is not a new function. */
        n = 0;
        for (unsigned i = 0; i <= GRUB_MENU_MAX_FUNCTIONS; i++)
                n += (size_t) snprintf(big + n, sizeof(big) - n, "function f { true; }\n");
        n += (size_t) snprintf(big + n, sizeof(big) - n, "function f { blscfg; }\nf\n");
        CHECK_EQ(grub_menu_scan(big, n, NULL, NULL, &m, why, sizeof(why)), 0);
        CHECK_EQ(m.blscfg_line, 35u);

        /* A brace past the kept words of a long statement. */
        n = (size_t) snprintf(big, sizeof(big), "menuentry");
        for (unsigned i = 0; i < GRUB_SCRIPT_MAX_WORDS + 4; i++)
                n += (size_t) snprintf(big + n, sizeof(big) - n, " --class c%u", i);
        memcpy(big + n, " {\n true\n}\nblscfg\n", 19);
        CHECK_EQ(grub_menu_scan(big, n + 18, NULL, NULL, &m, why, sizeof(why)), 0);
        CHECK_EQ(m.entries, 1u);
        CHECK_EQ(m.blscfg_line, 4u);
        memcpy(big + n, " { true; } x\n", 14);
        CHECK_EQ(grub_menu_scan(big, n + 13, NULL, NULL, &m, why, sizeof(why)), -E2BIG);

        /* A NUL ends the text, as GRUB reads it. */
        CHECK_EQ(grub_menu_scan("menuentry a { x; }\n\0blscfg\n", 27, NULL, NULL, &m, why, sizeof(why)), 0);
        CHECK_EQ(m.blscfg_line, 0u);
        CHECK_EQ(m.entries, 1u);

        /* Garbage: every byte value, a full buffer of it; never past the end. */
        for (size_t i = 0; i < sizeof(big); i++)
                big[i] = (char) (i * 131 + (i >> 7));
        (void) grub_menu_scan(big, sizeof(big), NULL, NULL, &m, why, sizeof(why));
        memset(big, '{', sizeof(big));
        CHECK(grub_menu_scan(big, sizeof(big), NULL, NULL, &m, why, sizeof(why)) < 0);
        memset(big, 'x', sizeof(big));
        CHECK_EQ(grub_menu_scan(big, sizeof(big), NULL, NULL, &m, why, sizeof(why)), 0);
        CHECK_EQ(m.blscfg_line + m.entries + m.unsure_line, 0u);
}

int main(void) {
        test_cases();
        test_entry_bound();
        test_follow();
        test_menu_cases();
        test_menu_exists();
        test_menu_bounds();
        return 0;
}
