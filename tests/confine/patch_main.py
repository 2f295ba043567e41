#!/usr/bin/env python3
"""Writes a copy of src/main.c with confinement wired into serve(), for tests/confine/run.sh to
build while src/main.c does not call confine_apply() yet. The inserted lines are the integration
proposed for main.c: settings read right after the configuration (a bad value exits 2 before any
listener opens), confinement applied after the listeners are open and the start-up lines logged,
just before the event loop (a failure exits 1).

usage: patch_main.py SRC_MAIN_C OUT_MAIN_C
"""

import sys

INCLUDE = '#include "confine.h"\n'
NOTE_FN = """static void confine_note(const char *line)
{
    log_msg(LOG_NOTICE, "%s", line);
}

"""
OPTS = """    struct confine_opts co;
    char cerr[512];
    if (confine_opts_from_env(&co, &c.upstream, env_lookup, cerr, sizeof cerr) < 0) {
        fprintf(stderr, "sockwarden: %s\\n", cerr);
        return 2;
    }
"""
APPLY = """    if (confine_apply(&co, cerr, sizeof cerr, confine_note) < 0) {
        log_msg(LOG_ERR, "%s", cerr);
        fprintf(stderr, "sockwarden: %s\\n", cerr);
        return 1;
    }
"""


def insert_before(text, anchor, block, after_line=False):
    i = text.find(anchor)
    if i < 0:
        sys.exit("patch_main.py: cannot find %r in main.c" % anchor)
    if after_line:
        i = text.index("\n", i) + 1
    else:
        i = text.rfind("\n", 0, i) + 1
    return text[:i] + block + text[i:]


def main():
    src = open(sys.argv[1]).read()
    if "confine_apply" in src:
        out = src
    else:
        out = insert_before(src, '#include "config.h"', INCLUDE, after_line=True)
        out = insert_before(out, "static int serve(", NOTE_FN)
        serve = out.index("static int serve(")
        load = out.index("return 2;", serve)
        out = out[:load] + out[load:].replace("return 2;\n", "return 2;\n" + OPTS, 1)
        run = out.index("return proxy_run(", serve)
        out = insert_before(out, out[run : out.index("\n", run)], APPLY)
    open(sys.argv[2], "w").write(out)


if __name__ == "__main__":
    main()
