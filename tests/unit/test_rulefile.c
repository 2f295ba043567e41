/* rulefile: the rule-file parser (rulefile.h) and the data it builds (rules.h). Every error class
 * with its exact message and FILE:LINE:COL, good files (rules.md §8's example with a fake preset,
 * CRLF, comments, tabs), the data model field by field, presets and where their rules come from,
 * coverage errors and warnings, and the limits: 100,000 lines, a 1 MB line, NUL, invalid UTF-8,
 * 10 MB of input. */
#include "policy/rulefile.h"

#include <stdlib.h>

#include "check.h"

/* ---- fixtures ------------------------------------------------------------------------------ */

static const struct rulefile_preset presets[] = {
    {"traefik", "# what traefik reads\n"
                "allow GET /_ping /version /events\n"
                "allow GET /containers/json /containers/{id}/json /networks\n"},
    {"nested", "allow GET /info\npreset traefik\n"},
    {"loop", "preset loop2\n"},
    {"loop2", "preset loop\n"},
    {"bad", "allow GET /ok\nallow GET nopath\n"},
    {"modeful", "mode warn\n"},
    {"empty", ""},
    {"binary", "allow GET /x\n\x01"},
    {"d1", "preset d2\n"},
    {"d2", "preset d3\n"},
    {"d3", "preset d4\n"},
    {"d4", "preset d5\n"},
    {"d5", "preset d6\n"},
    {"d6", "preset d7\n"},
    {"d7", "preset d8\n"},
    {"d8", "preset d9\n"},
    {"d9", "allow GET /deep\n"},
    {NULL, NULL},
};

static const char *const listeners[] = {"127.0.0.1:2376", "/run/sockwarden.sock", "[::]:2375"};
static const struct rulefile_env env = {listeners, 3, rulefile_preset_table, presets};

static struct rule_diag diag; /* large: one for the whole test */

static struct ruleset *parse_n(const char *text, size_t len)
{
    struct ruleset *rs = (struct ruleset *)1;
    int rc = rulefile_parse("rules", text, len, &env, &rs, &diag);
    CHECK((rc == 0) == (rs != NULL), "rc %d but set %p", rc, (void *)rs);
    CHECK(rc == 0 || diag.error[0], "failed without a message");
    return rs;
}

/* Parses text, expects success without warnings; the caller frees. */
static struct ruleset *ok_at(const char *text, int line)
{
    struct ruleset *rs = parse_n(text, strlen(text));
    CHECK(rs != NULL, "line %d: refused: %s", line, diag.error);
    CHECK(diag.nwarnings_total == 0, "line %d: warning: %s", line, diag.warnings[0]);
    return rs;
}
#define OK(text) ok_at((text), __LINE__)

static void accepts_at(const char *text, int line)
{
    ruleset_free(ok_at(text, line));
}
#define ACCEPTS(text) accepts_at((text), __LINE__)

/* Expects the exact error message; checks diag.line/col against the message's prefix. */
static void fails_n(const char *text, size_t len, const char *want, int line)
{
    struct ruleset *rs = parse_n(text, len);
    CHECK(rs == NULL, "line %d: accepted, wanted '%s'", line, want);
    ruleset_free(rs);
    CHECK(strcmp(diag.error, want) == 0, "line %d:\n   got '%s'\n  want '%s'", line, diag.error,
          want);
    char pre[64];
    snprintf(pre, sizeof(pre), "rules:%u:%u: ", diag.line, diag.col);
    CHECK(strncmp(diag.error, pre, strlen(pre)) == 0, "line %d: diag %u:%u vs '%s'", line,
          diag.line, diag.col, diag.error);
}
#define FAILS(text, want) fails_n((text), strlen(text), (want), __LINE__)

/* With no env at all (no listeners, no presets), as file "f". */
static void fails_without_env(const char *text, const char *want)
{
    struct ruleset *rs = NULL;
    CHECK(rulefile_parse("f", text, strlen(text), NULL, &rs, &diag) == -1 && rs == NULL,
          "no env: accepted");
    CHECK(strcmp(diag.error, want) == 0, "no env:\n   got '%s'\n  want '%s'", diag.error, want);
}

/* Expects success with exactly one warning, the given one. */
static void warns_at(const char *text, const char *want, int line)
{
    struct ruleset *rs = parse_n(text, strlen(text));
    CHECK(rs != NULL, "line %d: refused: %s", line, diag.error);
    ruleset_free(rs);
    CHECK(diag.nwarnings == 1 && diag.nwarnings_total == 1, "line %d: %zu warnings", line,
          diag.nwarnings_total);
    CHECK(strcmp(diag.warnings[0], want) == 0, "line %d:\n   got '%s'\n  want '%s'", line,
          diag.warnings[0], want);
}
#define WARNS(text, want) warns_at((text), (want), __LINE__)

static bool str_is(struct rule_str s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0 && s.p[s.len] == '\0';
}

/* ---- good files ---------------------------------------------------------------------------- */

static const char example[] =
    "# sockwarden.rules\n"
    "default readonly\n"
    "\n"
    "profile readonly\n"
    "  allow GET /_ping /version /info /events\n"
    "  allow GET /containers/json /containers/{id}/json /networks /networks/{id}\n"
    "\n"
    "profile traefik\n"
    "  match listener 127.0.0.1:2376\n"
    "  preset traefik\n"
    "\n"
    "profile ci\n"
    "  match uid 1001\n"
    "  allow GET /_ping /version /images/{ref}/json\n"
    "  allow POST /images/create query fromImage only fromImage,tag,platform\n"
    "  allow POST /containers/create body bind=/srv/ci bind=/srv/cache:ro cap=NET_ADMIN\n"
    "  allow POST /containers/{id}/start /containers/{id}/wait\n"
    "  allow GET /containers/{id}/logs\n"
    "  allow DELETE /containers/{id}\n"
    "  deny * /containers/{id}/exec\n";

static void test_example(void)
{
    struct ruleset *rs = OK(example);
    if (!rs)
        return;
    CHECK(strcmp(rs->filename, "rules") == 0, "filename %s", rs->filename);
    CHECK_INT(rs->nprofiles, 3, "profiles");
    CHECK_INT(rs->nrules, 2 + 2 + 7, "rules");
    CHECK(rs->default_profile == &rs->profiles[0], "default is readonly");
    CHECK_INT(rs->default_src.line, 2, "default line");
    CHECK(ruleset_profile(rs, "ci", 2) == &rs->profiles[2], "lookup ci");
    CHECK(ruleset_profile(rs, "c", 1) == NULL, "lookup c");

    const struct rule_profile *ro = &rs->profiles[0];
    CHECK(str_is(ro->name, "readonly"), "name");
    CHECK_INT(ro->src.line, 4, "profile line");
    CHECK_INT(ro->mode, RULE_MODE_ENFORCE, "default mode");
    CHECK(!ro->mode_set, "mode not set");
    CHECK_INT(ro->nmatches, 0, "readonly matches");
    CHECK_INT(ro->nrules, 2, "readonly rules");
    const struct rule *r = &ro->rules[1];
    CHECK_INT(r->verdict, RULE_ALLOW, "verdict");
    CHECK_INT(r->methods, RULE_M_GET | RULE_M_HEAD, "GET carries HEAD");
    CHECK_INT(r->methods_written, RULE_M_GET, "as written");
    CHECK_INT(r->npaths, 4, "paths");
    CHECK(str_is(r->paths[1].text, "/containers/{id}/json"), "path text");
    CHECK_INT(r->paths[1].nsegs, 3, "segs");
    CHECK_INT(r->paths[1].segs[0].kind, RULE_SEG_LITERAL, "seg 0");
    CHECK(str_is(r->paths[1].segs[0].lit, "containers"), "seg 0 lit");
    CHECK_INT(r->paths[1].segs[1].kind, RULE_SEG_ID, "seg 1");
    CHECK_INT(r->paths[1].segs[2].kind, RULE_SEG_LITERAL, "seg 2");
    CHECK(r->paths[2].networks_slash && !r->paths[3].networks_slash, "/networks alias");
    CHECK_INT(r->paths[3].src.col, 62, "path col");
    CHECK(strcmp(r->src.file, "rules") == 0 && r->src.line == 6 && r->src.col == 3, "rule src");
    CHECK(r->at.line == 6 && r->at.col == 3, "rule at");

    const struct rule_profile *tr = &rs->profiles[1];
    CHECK_INT(tr->nmatches, 1, "traefik matches");
    CHECK_INT(tr->matches[0].kind, RULE_MATCH_LISTENER, "listener");
    CHECK_INT(tr->matches[0].listener, 0, "listener index");
    CHECK(str_is(tr->matches[0].name, "127.0.0.1:2376"), "listener name");
    CHECK_INT(tr->matches[0].src.line, 9, "match line");
    CHECK_INT(tr->nrules, 2, "preset rules inserted");
    CHECK_INT(tr->npresets, 1, "preset uses");
    CHECK(str_is(tr->presets[0].name, "traefik"), "preset name");
    CHECK(tr->presets[0].first_rule == 0 && tr->presets[0].nrules == 2, "preset span");
    CHECK(tr->presets[0].src.line == 10 && tr->presets[0].src.col == 3, "preset src");
    r = &tr->rules[1];
    CHECK(strcmp(r->src.file, "preset traefik") == 0 && r->src.line == 3 && r->src.col == 1,
          "preset rule src %s:%u:%u", r->src.file, r->src.line, r->src.col);
    CHECK(strcmp(r->at.file, "rules") == 0 && r->at.line == 10 && r->at.col == 10,
          "preset rule at %s:%u:%u", r->at.file, r->at.line, r->at.col);

    const struct rule_profile *ci = &rs->profiles[2];
    CHECK(ci->matches[0].kind == RULE_MATCH_UID && ci->matches[0].uid == 1001, "uid");
    r = &ci->rules[0];
    CHECK_INT(r->paths[2].segs[1].kind, RULE_SEG_REF, "{ref}");
    r = &ci->rules[1];
    CHECK_INT(r->methods, RULE_M_POST, "POST");
    CHECK_INT(r->nconds, 2, "conds");
    CHECK(r->conds[0].kind == RULE_COND_PRESENT && str_is(r->conds[0].key, "fromImage"), "present");
    CHECK(r->conds[1].kind == RULE_COND_ONLY && r->conds[1].nvals == 3, "only");
    CHECK(str_is(r->conds[1].vals[2], "platform"), "only key");
    r = &ci->rules[2];
    CHECK_INT(r->grants.nbinds, 2, "binds");
    CHECK(str_is(r->grants.binds[0].path, "/srv/ci") && !r->grants.binds[0].ro, "bind rw");
    CHECK(str_is(r->grants.binds[1].path, "/srv/cache") && r->grants.binds[1].ro, "bind ro");
    CHECK(r->grants.caps == RULE_CAP_BIT(12) && r->grants.flags == 0, "NET_ADMIN");
    CHECK_INT(ci->rules[5].methods, RULE_M_DELETE, "DELETE");
    r = &ci->rules[6];
    CHECK(r->verdict == RULE_DENY && r->methods == RULE_M_ALL && r->methods_written == RULE_M_ALL,
          "deny *");
    ruleset_free(rs);
}

static void test_lexical_good(void)
{
    /* CRLF, a last line without a line end, tabs, comments everywhere, UTF-8 in comments. */
    struct ruleset *rs = OK("profile a\r\n"
                            "\tallow\tGET\t/x # trailing comment\r\n"
                            "# a comment line — with UTF-8 ✓\r\n"
                            "   \t  \r\n"
                            "allow POST /y#comment glued to a word\n"
                            "\r\n"
                            "deny DELETE /z");
    if (rs) {
        const struct rule_profile *p = &rs->profiles[0];
        CHECK_INT(p->nrules, 3, "rules");
        CHECK(str_is(p->rules[0].paths[0].text, "/x"), "CRLF word");
        CHECK(p->rules[0].src.line == 2 && p->rules[0].src.col == 2, "tab col");
        CHECK(p->rules[0].paths[0].src.col == 12, "col after tabs");
        CHECK(str_is(p->rules[1].paths[0].text, "/y"), "comment cuts a word");
        CHECK(p->rules[2].src.line == 7, "last line");
    }
    ruleset_free(rs);
    ACCEPTS("profile a\n"); /* a profile with no rules refuses everything */
    ACCEPTS("profile a\n\n\n");
    ACCEPTS("profile a"); /* no line end at all */
    ACCEPTS("profile 0\nprofile a-b_c\nprofile z9\n");
    /* A line of exactly the limit passes. */
    static char line[RULEFILE_MAX_LINE + 32];
    memset(line, 'x', sizeof(line));
    memcpy(line, "profile a\n#", 11);
    memcpy(line + 10 + RULEFILE_MAX_LINE, "\r\n", 3);
    ACCEPTS(line);
}

static void test_data_model(void)
{
    struct ruleset *rs =
        OK("profile one\n"
           "  match from 10.0.0.0/8\n"
           "  match from 192.168.1.7\n"
           "  match from 2001:db8::/32\n"
           "  match from ::1\n"
           "  match from 0.0.0.0/0\n"
           "  match gid 0\n"
           "  match uid 4294967294\n"
           "  match client-cert spiffe://acme/ci\n"
           "  match listener /run/sockwarden.sock\n"
           "  mode audit\n"
           "  visible label team=a\n"
           "  visible label env=\n"
           "  stamp label owner=ci=1\n"
           "  redact env\n"
           "  redact paths\n"
           "  allow GET,POST,HEAD /a/*/b /a/** /x/{ref}/y/z query !force a=1|true|True only a,b\n"
           "  allow PUT,DELETE /c body privileged cap=ALL device=/dev/fuse device=/dev/kvm "
           "devices-gpu host-network host-pid host-ipc host-uts host-userns host-cgroupns join "
           "security-opt sysctl runtime=nvidia runtime=io.containerd.runc.v2\n"
           "  allow POST /d body device=* cap=sys_admin cap=CAP_Net_Broadcast cap=bpf\n"
           "  allow POST /e body unsafe\n"
           "  allow POST /f body bind=/ bind=/a:ro\n");
    if (!rs)
        return;
    const struct rule_profile *p = &rs->profiles[0];
    CHECK_INT(p->nmatches, 9, "matches");
    static const unsigned char v4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 0};
    static const unsigned char v4h[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 7};
    static const unsigned char v6[16] = {0x20, 0x01, 0x0d, 0xb8};
    static const unsigned char lo[16] = {[15] = 1};
    const struct rule_match *m = p->matches;
    CHECK(m[0].kind == RULE_MATCH_FROM && m[0].prefix == 104 && m[0].v4 &&
              memcmp(m[0].addr, v4, 16) == 0 && str_is(m[0].name, "10.0.0.0/8"),
          "10/8");
    CHECK(m[1].prefix == 128 && m[1].v4 && memcmp(m[1].addr, v4h, 16) == 0, "bare v4 /32");
    CHECK(m[2].prefix == 32 && !m[2].v4 && memcmp(m[2].addr, v6, 16) == 0, "v6 /32");
    CHECK(m[3].prefix == 128 && memcmp(m[3].addr, lo, 16) == 0, "bare v6 /128");
    CHECK(m[4].prefix == 96, "0.0.0.0/0 is ::ffff:0:0/96");
    CHECK(m[5].kind == RULE_MATCH_GID && m[5].gid == 0, "gid 0");
    CHECK(m[6].kind == RULE_MATCH_UID && m[6].uid == 4294967294u, "uid max");
    CHECK(m[7].kind == RULE_MATCH_CERT && str_is(m[7].name, "spiffe://acme/ci"), "cert");
    CHECK(m[8].kind == RULE_MATCH_LISTENER && m[8].listener == 1, "listener 1");
    CHECK(p->mode == RULE_MODE_AUDIT && p->mode_set && p->mode_src.line == 11, "mode");
    CHECK_INT(p->nvisible, 2, "visible");
    CHECK(str_is(p->visible[1].key, "env") && str_is(p->visible[1].value, ""), "empty value");
    CHECK(p->nstamp == 1 && str_is(p->stamp[0].key, "owner") && str_is(p->stamp[0].value, "ci=1"),
          "stamp");
    CHECK_INT(p->redact, RULE_REDACT_ENV | RULE_REDACT_PATHS, "redact");

    const struct rule *r = &p->rules[0];
    CHECK_INT(r->methods, RULE_M_GET | RULE_M_HEAD | RULE_M_POST, "methods");
    CHECK_INT(r->methods_written, RULE_M_GET | RULE_M_HEAD | RULE_M_POST, "written");
    CHECK(r->paths[0].segs[1].kind == RULE_SEG_STAR && r->paths[1].segs[1].kind == RULE_SEG_REST,
          "* and **");
    CHECK(r->paths[2].nsegs == 4 && r->paths[2].segs[1].kind == RULE_SEG_REF, "{ref} tail");
    CHECK_INT(r->nconds, 3, "conds");
    CHECK(r->conds[0].kind == RULE_COND_ABSENT && str_is(r->conds[0].key, "force"), "absent");
    CHECK(r->conds[1].kind == RULE_COND_VALUES && r->conds[1].nvals == 3 &&
              str_is(r->conds[1].vals[2], "True") && r->conds[1].src.col == 62,
          "values");
    CHECK(r->conds[2].kind == RULE_COND_ONLY && str_is(r->conds[2].key, ""), "only");

    const struct rule_grants *g = &p->rules[1].grants;
    unsigned all = RULE_G_PRIVILEGED | RULE_G_CAP_ALL | RULE_G_DEVICES_GPU | RULE_G_HOST_NETWORK |
                   RULE_G_HOST_PID | RULE_G_HOST_IPC | RULE_G_HOST_UTS | RULE_G_HOST_USERNS |
                   RULE_G_HOST_CGROUPNS | RULE_G_JOIN | RULE_G_SECURITY_OPT | RULE_G_SYSCTL;
    CHECK_INT(g->flags, all, "flags");
    CHECK(g->caps == 0 && g->ndevices == 2 && str_is(g->devices[1].path, "/dev/kvm"), "devices");
    CHECK(g->nruntimes == 2 && str_is(g->runtimes[1], "io.containerd.runc.v2"), "runtimes");
    g = &p->rules[2].grants;
    CHECK_INT(g->flags, RULE_G_DEVICE_ALL, "device=*");
    CHECK(g->caps == (RULE_CAP_BIT(21) | RULE_CAP_BIT(11) | RULE_CAP_BIT(39)) && g->ndevices == 0,
          "caps %llx", (unsigned long long)g->caps);
    CHECK_INT(p->rules[3].grants.flags, RULE_G_UNSAFE, "unsafe");
    CHECK(p->rules[4].grants.nbinds == 2 && p->rules[4].grants.binds[1].ro, "bind=/");
    ruleset_free(rs);

    /* Names. */
    CHECK(strcmp(rule_cap_name(0), "CHOWN") == 0 &&
              strcmp(rule_cap_name(40), "CHECKPOINT_RESTORE") == 0 && rule_cap_name(41) == NULL,
          "cap names");
    CHECK(strcmp(rule_mode_name(RULE_MODE_LEARN), "learn") == 0, "mode name");
    CHECK(strcmp(rule_verdict_name(RULE_DENY), "deny") == 0, "verdict name");
    CHECK(strcmp(rule_method_name(METHOD_DELETE), "DELETE") == 0, "method name");
    CHECK(strcmp(rule_grant_name(RULE_G_HOST_CGROUPNS), "host-cgroupns") == 0, "grant name");
    CHECK(rule_cap_default & RULE_CAP_BIT(0) && !(rule_cap_default & RULE_CAP_BIT(21)), "defaults");
    ruleset_free(NULL);
}

/* ---- errors, class by class ---------------------------------------------------------------- */

static void test_structure_errors(void)
{
    FAILS("allow GET /x\n", "rules:1:1: expected profile or default before the first profile, "
                            "found 'allow'");
    FAILS("# c\n  match uid 1\n", "rules:2:3: expected profile or default before the first "
                                  "profile, found 'match'");
    FAILS("profile a\ndefault a\nallow GET /x\n",
          "rules:3:1: expected profile or default (a default line ends the profile before it), "
          "found 'allow'");
    FAILS("profile a\nalow GET /x\n",
          "rules:2:1: expected a statement (match, mode, preset, allow, deny, visible, stamp, "
          "redact, profile or default), found 'alow'");
    FAILS("profile a\nAllow GET /x\n",
          "rules:2:1: expected a statement (match, mode, preset, allow, deny, visible, stamp, "
          "redact, profile or default), found 'Allow'");
    FAILS("", "rules:1:1: expected at least one profile, found none");
    FAILS("# only comments\n\n", "rules:1:1: expected at least one profile, found none");
    /* missing and extra arguments */
    FAILS("profile\n", "rules:1:8: expected a profile name after 'profile', found the end of the "
                       "line");
    FAILS("profile a b\n", "rules:1:11: expected the end of the line after 'a', found 'b'");
    FAILS("profile a\nmode\n", "rules:2:5: expected enforce, warn, audit or learn after 'mode', "
                               "found the end of the line");
    FAILS("profile a\nmode warn x\n", "rules:2:11: expected the end of the line after 'warn', "
                                      "found 'x'");
    FAILS("profile a\nmode Warn\n", "rules:2:6: expected enforce, warn, audit or learn after "
                                    "'mode', found 'Warn'");
    FAILS("default\nprofile a\n", "rules:1:8: expected a profile name after 'default', found the "
                                  "end of the line");
    FAILS("profile a\nredact env paths\n", "rules:2:12: expected the end of the line after 'env', "
                                           "found 'paths'");
    FAILS("profile a\nredact all\n", "rules:2:8: expected env or paths after 'redact', found "
                                     "'all'");
    FAILS("profile a\nredact env\nredact env\n", "rules:3:8: expected each redact line once in a "
                                                 "profile, found 'redact env' again");
    /* profile names */
    FAILS("profile A\n", "rules:1:9: expected a profile name ([a-z0-9][a-z0-9_-]*, at most 64 "
                         "bytes), found 'A'");
    FAILS("profile -a\n", "rules:1:9: expected a profile name ([a-z0-9][a-z0-9_-]*, at most 64 "
                          "bytes), found '-a'");
    FAILS("profile a.b\n", "rules:1:9: expected a profile name ([a-z0-9][a-z0-9_-]*, at most 64 "
                           "bytes), found 'a.b'");
    FAILS("profile "
          "a1234567890123456789012345678901234567890123456789012345678901234\n",
          "rules:1:9: expected a profile name ([a-z0-9][a-z0-9_-]*, at most 64 bytes), found "
          "'a12345678901234567890123456789012345678901234567890123456789...'");
    FAILS("profile a\nprofile b\nprofile a\n", "rules:3:9: expected a new profile name, found "
                                               "'a', already a profile at line 1");
    /* default */
    FAILS("default x\nprofile a\n", "rules:1:9: expected the name of a profile of this file "
                                    "after 'default', found 'x'");
    FAILS("default a\nprofile a\ndefault a\n", "rules:3:1: expected one default line, found a "
                                               "second (the first is at line 1)");
    struct ruleset *rs = OK("profile a\ndefault b\nprofile b\n");
    CHECK(rs && rs->default_profile == &rs->profiles[1], "default after its profile");
    ruleset_free(rs);
    /* mode */
    FAILS("profile a\n  mode warn\n  mode audit\n", "rules:3:3: expected one mode line in profile "
                                                    "a, found a second (the first is at line 2)");
    rs = OK("profile a\nmode learn\nprofile b\nmode warn\n");
    CHECK(rs && rs->profiles[0].mode == RULE_MODE_LEARN && rs->profiles[1].mode == RULE_MODE_WARN,
          "modes");
    ruleset_free(rs);
}

static void test_match_errors(void)
{
    FAILS("profile a\nmatch\n", "rules:2:6: expected listener, from, uid, gid or client-cert "
                                "after 'match', found the end of the line");
    FAILS("profile a\nmatch user 1\n", "rules:2:7: expected listener, from, uid, gid or "
                                       "client-cert after 'match', found 'user'");
    FAILS("profile a\nmatch uid\n", "rules:2:10: expected a uid after 'match uid', found the end "
                                    "of the line");
    FAILS("profile a\nmatch uid 1 2\n", "rules:2:13: expected the end of the line after 'match "
                                        "uid' and its value, found '2'");
    /* uid and gid */
    static const char *const bad_ids[] = {"-1",          "+1", "01",   "4294967295",
                                          "99999999999", "1a", "0x10", "1.0"};
    for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
        char text[128], want[256];
        snprintf(text, sizeof(text), "profile a\nmatch gid %s\n", bad_ids[i]);
        snprintf(want, sizeof(want),
                 "rules:2:11: expected a gid (a decimal number from 0 to "
                 "4294967294), found '%s'",
                 bad_ids[i]);
        fails_n(text, strlen(text), want, __LINE__);
    }
    FAILS("profile a\nmatch uid 4294967295\n", "rules:2:11: expected a uid (a decimal number "
                                               "from 0 to 4294967294), found '4294967295'");
    /* CIDR */
    FAILS("profile a\nmatch from 10.0.0.1/8\n", "rules:2:12: expected a network address with no "
                                                "host bits set (10.0.0.0/8), found '10.0.0.1/8'");
    FAILS("profile a\nmatch from 2001:db8::1/32\n",
          "rules:2:12: expected a network address with no host bits set (2001:db8::/32), found "
          "'2001:db8::1/32'");
    FAILS("profile a\nmatch from 10.0.0.0/33\n", "rules:2:12: expected a prefix length from 0 to "
                                                 "32 after '/', found '10.0.0.0/33'");
    FAILS("profile a\nmatch from 10.0.0.0/08\n", "rules:2:12: expected a prefix length from 0 to "
                                                 "32 after '/', found '10.0.0.0/08'");
    FAILS("profile a\nmatch from ::/129\n", "rules:2:12: expected a prefix length from 0 to 128 "
                                            "after '/', found '::/129'");
    FAILS("profile a\nmatch from 10.0.0.0/\n", "rules:2:12: expected a prefix length from 0 to 32 "
                                               "after '/', found '10.0.0.0/'");
    static const char *const bad_addrs[] = {"010.0.0.0", "10.0.0", "10.0.0.0.0",   "256.0.0.1",
                                            "localhost", "[::1]",  "fe80::1%eth0", "1.2.3.4:80",
                                            "::g",       ""};
    for (size_t i = 0; i + 1 < sizeof(bad_addrs) / sizeof(bad_addrs[0]); i++) {
        char text[128], want[256];
        snprintf(text, sizeof(text), "profile a\nmatch from %s\n", bad_addrs[i]);
        snprintf(want, sizeof(want),
                 "rules:2:12: expected an IPv4 or IPv6 address or network "
                 "(CIDR) after 'match from', found '%s'",
                 bad_addrs[i]);
        fails_n(text, strlen(text), want, __LINE__);
    }
    /* listeners */
    FAILS("profile a\nmatch listener 127.0.0.1:2377\n",
          "rules:2:16: expected a listener of BIND_CONFIG (127.0.0.1:2376, /run/sockwarden.sock, "
          "[::]:2375), found '127.0.0.1:2377'");
    fails_without_env("profile a\nmatch listener x\n",
                      "f:2:16: expected a listener of BIND_CONFIG (none given), found 'x'");
    /* claims */
    FAILS("profile a\nmatch uid 5\nprofile b\nmatch uid 5\n",
          "rules:4:11: expected a match no other profile claims, found 'match uid 5', which "
          "profile a claims at line 2");
    FAILS("profile a\nmatch gid 5\nmatch gid 5\n", "rules:3:11: expected each match once in a "
                                                   "profile, found 'match gid 5' again (first at "
                                                   "line 2)");
    ACCEPTS("profile a\nmatch uid 5\nprofile b\nmatch gid 5\n"); /* uid 5 and gid 5 differ */
    FAILS("profile a\nmatch listener [::]:2375\nprofile b\nmatch listener [::]:2375\n",
          "rules:4:16: expected a match no other profile claims, found 'match listener "
          "[::]:2375', which profile a claims at line 2");
    FAILS("profile a\nmatch from 10.0.0.0/8\nprofile b\nmatch from ::ffff:10.0.0.0/104\n",
          "rules:4:12: expected a match no other profile claims, found 'match from "
          "::ffff:10.0.0.0/104', which profile a claims at line 2");
    ACCEPTS("profile a\nmatch from 10.0.0.0/8\nprofile b\nmatch from 10.1.0.0/16\n");
    FAILS("profile a\nmatch client-cert CI.example\nprofile b\nmatch client-cert ci.EXAMPLE\n",
          "rules:4:19: expected a match no other profile claims, found 'match client-cert "
          "ci.EXAMPLE', which profile a claims at line 2");
}

static void test_method_errors(void)
{
    FAILS("profile a\nallow\n", "rules:2:6: expected methods (GET, HEAD, POST, PUT, DELETE, "
                                "comma-separated, or *) after 'allow', found the end of the line");
    FAILS("profile a\nallow get /x\n", "rules:2:7: expected a method (GET, HEAD, POST, PUT, "
                                       "DELETE; several comma-separated) or *, found 'get' "
                                       "(method names are case-sensitive)");
    FAILS("profile a\ndeny OPTIONS /x\n", "rules:2:6: expected a method (GET, HEAD, POST, PUT, "
                                          "DELETE; several comma-separated) or *, found "
                                          "'OPTIONS'");
    FAILS("profile a\nallow GET,,POST /x\n", "rules:2:11: expected a method (GET, HEAD, POST, "
                                             "PUT, DELETE; several comma-separated) or *, found "
                                             "an empty one in 'GET,,POST'");
    FAILS("profile a\nallow GET, /x\n", "rules:2:11: expected a method (GET, HEAD, POST, PUT, "
                                        "DELETE; several comma-separated) or *, found an empty "
                                        "one in 'GET,'");
    FAILS("profile a\nallow GET,GET /x\n", "rules:2:11: expected each method once, found GET "
                                           "again in 'GET,GET'");
    FAILS("profile a\nallow *,GET /x\n", "rules:2:7: expected * alone (it means all five "
                                         "methods), found it in '*,GET'");
    FAILS("profile a\nallow GET\n", "rules:2:10: expected a path after the methods, found the end "
                                    "of the line");
    FAILS("profile a\nallow GET query a\n", "rules:2:11: expected a path after the methods, "
                                            "found 'query'");
}

static void test_path_errors(void)
{
    static const struct {
        const char *path, *msg;
    } rows[] = {
        {"x", "rules:2:11: expected a path starting with '/' (or query, or body), found 'x'"},
        {"/", "rules:2:11: expected a path with at least one segment, found '/'"},
        {"/v1.41/containers/json", "rules:2:12: expected a path without the API version (a rule "
                                   "matches /vN.NN/… too), found '/v1.41/containers/json'"},
        {"/v1/x", "rules:2:12: expected a path without the API version (a rule matches /vN.NN/… "
                  "too), found '/v1/x'"},
        {"/v1.41", "rules:2:12: expected a path without the API version (a rule matches /vN.NN/… "
                   "too), found '/v1.41'"},
        {"/a//b", "rules:2:14: expected a segment between two slashes, found an empty one in "
                  "'/a//b'"},
        {"/a/./b", "rules:2:14: expected a path without . or .. segments, found '/a/./b'"},
        {"/a/..", "rules:2:14: expected a path without . or .. segments, found '/a/..'"},
        {"/a/**/b", "rules:2:14: expected ** only as the last segment, found '/a/**/b'"},
        {"/**/**", "rules:2:12: expected ** only as the last segment, found '/**/**'"},
        {"/a/{ref}/{id}", "rules:2:20: expected only literal segments after {ref} (they anchor "
                          "its end), found '{id}'"},
        {"/a/{ref}/*", "rules:2:20: expected only literal segments after {ref} (they anchor its "
                       "end), found '*'"},
        {"/a/{ref}/{ref}", "rules:2:20: expected only literal segments after {ref} (they anchor "
                           "its end), found '{ref}'"},
        {"/a/{name}", "rules:2:14: expected {id} or {ref}, found '{name}'"},
        {"/a/{id", "rules:2:14: expected {id} or {ref}, found '{id'"},
        {"/a/x{id}", "rules:2:14: expected {id} or {ref}, found 'x{id}'"},
        {"/a/b*", "rules:2:14: expected * or ** as a whole segment, found 'b*'"},
        {"/a/***", "rules:2:14: expected * or ** as a whole segment, found '***'"},
        {"/x/", "rules:2:13: expected a path without a trailing slash, found '/x/'"},
        {"/networks/", "rules:2:20: expected /networks (it matches /networks/ too), found "
                       "'/networks/'"},
        {"/a%2Fb", "rules:2:13: expected a decoded path (rules match the path as dockerd decodes "
                   "it: no percent-escapes), found '/a%2Fb'"},
        {"/containers/json?all=1", "rules:2:27: expected a path without a query (write query "
                                   "COND after the paths), found '/containers/json?all=1'"},
        {"/caf\xc3\xa9", "rules:2:15: expected a path of visible ASCII characters, found "
                         "'/caf\xc3\xa9'"},
        {"/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/0/1/2/3/4/5/6",
         "rules:2:11: expected a path of at most 32 segments, found "
         "'/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/0/1/2/3...'"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "profile a\nallow GET %s\n", rows[i].path);
        fails_n(text, strlen(text), rows[i].msg, __LINE__);
    }
    FAILS("profile a\nallow GET /x /y /x\n", "rules:2:17: expected each path once in a rule, "
                                             "found '/x' again");
    ACCEPTS(
        "profile a\nallow GET /a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/0/1/2/3/4/5\n");
    ACCEPTS("profile a\nallow GET /v /va/x /version /v1x /{id} /** /images/{ref} "
            "/plugins/{ref}/a/b /a:b@c.d_e-f~g\n");
}

static void test_query_errors(void)
{
    FAILS("profile a\nallow GET /x query\n", "rules:2:19: expected a query condition after "
                                             "'query', found the end of the line");
    FAILS("profile a\nallow POST /x query body privileged\n",
          "rules:2:21: expected a query condition after 'query', found 'body'");
    FAILS("profile a\nallow GET /x query a query b\n", "rules:2:22: expected one 'query' in a "
                                                       "rule, found a second");
    FAILS("profile a\nallow GET /x query a !a\n", "rules:2:22: expected query conditions that can "
                                                  "hold together, found '!a', which contradicts "
                                                  "'a' (col 20)");
    FAILS("profile a\nallow GET /x query a=1 a=2|3\n",
          "rules:2:24: expected query conditions that can hold together, found 'a=2|3', which "
          "contradicts 'a=1' (col 20)");
    FAILS("profile a\nallow GET /x query !a a=1\n", "rules:2:23: expected query conditions that "
                                                    "can hold together, found 'a=1', which "
                                                    "contradicts '!a' (col 20)");
    FAILS("profile a\nallow GET /x query a=1|2 a=2\n",
          "rules:2:26: expected one condition on a query key, found 'a=2' after 'a=1|2' (col 20)");
    FAILS("profile a\nallow GET /x query a a\n", "rules:2:22: expected one condition on a query "
                                                 "key, found 'a' after 'a' (col 20)");
    FAILS("profile a\nallow GET /x query a only b\n",
          "rules:2:20: expected query conditions that can hold together, found 'a', a key that "
          "'only' (col 22) excludes");
    FAILS("profile a\nallow GET /x query only b a=1\n",
          "rules:2:27: expected query conditions that can hold together, found 'a=1', a key that "
          "'only' (col 20) excludes");
    ACCEPTS("profile a\nallow GET /x query only b !a\n");
    FAILS("profile a\nallow GET /x query only a only b\n",
          "rules:2:27: expected one 'only' in a rule, found a second (the first is at col 20)");
    FAILS("profile a\nallow GET /x query only\n", "rules:2:24: expected KEY,KEY,… after 'only', "
                                                  "found the end of the line");
    FAILS("profile a\nallow GET /x query only a,,b\n", "rules:2:27: expected a key between "
                                                       "separators, found an empty one in "
                                                       "'a,,b'");
    FAILS("profile a\nallow GET /x query only a,b,a\n", "rules:2:29: expected each key once, "
                                                        "found 'a' again in 'a,b,a'");
    FAILS("profile a\nallow GET /x query only a,b!\n", "rules:2:27: expected a query key "
                                                       "([A-Za-z0-9_.-]+), found 'b!'");
    FAILS("profile a\nallow GET /x query a=\n", "rules:2:20: expected KEY=VALUE or KEY=V1|V2 "
                                                "(values are not empty), found 'a='");
    FAILS("profile a\nallow GET /x query a=1||2\n", "rules:2:24: expected a value between "
                                                    "separators, found an empty one in '1||2'");
    FAILS("profile a\nallow GET /x query a=1|1\n", "rules:2:24: expected each value once, found "
                                                   "'1' again in '1|1'");
    FAILS("profile a\nallow GET /x query =1\n", "rules:2:20: expected a query key "
                                                "([A-Za-z0-9_.-]+), found '=1'");
    FAILS("profile a\nallow GET /x query !\n", "rules:2:21: expected a query key "
                                               "([A-Za-z0-9_.-]+), found '!'");
    FAILS("profile a\nallow GET /x query a[b]\n", "rules:2:20: expected a query key "
                                                  "([A-Za-z0-9_.-]+), found 'a[b]'");
    ACCEPTS("profile a\nallow GET /x query a=x=y|{\"j\":1}|\xc3\xa9 b.c-d_E F9=0\n");
}

static void test_grant_errors(void)
{
    static const struct {
        const char *grants, *msg;
    } rows[] = {
        {"", "rules:2:35: expected a grant after 'body', found the end of the line"},
        {"root", "rules:2:36: expected a grant (privileged, cap=NAME, bind=PATH[:ro], device=PATH, "
                 "devices-gpu, host-network, host-pid, host-ipc, host-uts, host-userns, "
                 "host-cgroupns, join, security-opt, sysctl, runtime=NAME, unsafe), found 'root'"},
        {"query a", "rules:2:36: expected a grant (privileged, cap=NAME, bind=PATH[:ro], "
                    "device=PATH, devices-gpu, host-network, host-pid, host-ipc, host-uts, "
                    "host-userns, host-cgroupns, join, security-opt, sysctl, runtime=NAME, "
                    "unsafe), found 'query' (query conditions come before body)"},
        {"Privileged", "rules:2:36: expected a grant (privileged, cap=NAME, bind=PATH[:ro], "
                       "device=PATH, devices-gpu, host-network, host-pid, host-ipc, host-uts, "
                       "host-userns, host-cgroupns, join, security-opt, sysctl, runtime=NAME, "
                       "unsafe), found 'Privileged'"},
        {"privileged privileged", "rules:2:47: expected each grant once, found 'privileged' "
                                  "again"},
        {"cap=FOO", "rules:2:36: expected a Linux capability after 'cap=' (such as NET_ADMIN; ALL "
                    "or * for all), found 'cap=FOO'"},
        {"cap=", "rules:2:36: expected a Linux capability after 'cap=' (such as NET_ADMIN; ALL or "
                 "* for all), found 'cap='"},
        {"cap=CAP_ALL", "rules:2:36: expected a Linux capability after 'cap=' (such as "
                        "NET_ADMIN; ALL or * for all), found 'cap=CAP_ALL'"},
        {"cap=chown", "rules:2:36: expected a capability outside Docker's default set (CHOWN "
                      "needs no grant), found 'cap=chown'"},
        {"cap=CAP_KILL", "rules:2:36: expected a capability outside Docker's default set (KILL "
                         "needs no grant), found 'cap=CAP_KILL'"},
        {"cap=sys_admin cap=CAP_SYS_ADMIN", "rules:2:50: expected each capability once, found "
                                            "SYS_ADMIN again in 'cap=CAP_SYS_ADMIN'"},
        {"cap=* cap=all", "rules:2:42: expected each grant once, found 'cap=all' after cap=* or "
                          "cap=ALL"},
        {"cap=* cap=BPF", "rules:2:42: expected no named capability after cap=* (it grants every "
                          "one), found 'cap=BPF'"},
        {"cap=BPF cap=*", "rules:2:44: expected 'cap=*' alone (it grants every capability), "
                          "found it after named capabilities"},
        {"bind=srv", "rules:2:36: expected a clean absolute host path after 'bind=' (no //, . or "
                     ".. segments, no trailing /), found 'bind=srv'"},
        {"bind=/srv/", "rules:2:36: expected a clean absolute host path after 'bind=' (no //, . "
                       "or .. segments, no trailing /), found 'bind=/srv/'"},
        {"bind=/a/../b", "rules:2:36: expected a clean absolute host path after 'bind=' (no //, "
                         ". or .. segments, no trailing /), found 'bind=/a/../b'"},
        {"bind=//a", "rules:2:36: expected a clean absolute host path after 'bind=' (no //, . or "
                     ".. segments, no trailing /), found 'bind=//a'"},
        {"bind=", "rules:2:36: expected a clean absolute host path after 'bind=' (no //, . or .. "
                  "segments, no trailing /), found 'bind='"},
        {"bind=/a:rw", "rules:2:36: expected bind=PATH or bind=PATH:ro, found 'bind=/a:rw'"},
        {"bind=/a:b:ro", "rules:2:36: expected bind=PATH or bind=PATH:ro, found 'bind=/a:b:ro'"},
        {"bind=/a bind=/a:ro", "rules:2:44: expected each bind path once, found 'bind=/a:ro' "
                               "after '/a' (col 36)"},
        {"device=dev", "rules:2:36: expected a clean absolute host path after 'device=' (no //, "
                       ". or .. segments, no trailing /), found 'device=dev'"},
        {"device=/dev/a:/dev/b", "rules:2:36: expected device=PATH (a host path) or device=*, "
                                 "found 'device=/dev/a:/dev/b'"},
        {"device=/dev/fuse device=/dev/fuse", "rules:2:53: expected each device path once, found "
                                              "'device=/dev/fuse' after '/dev/fuse' (col 36)"},
        {"device=* device=/dev/kvm", "rules:2:45: expected no device path after device=* (it "
                                     "grants every device), found 'device=/dev/kvm'"},
        {"device=/dev/kvm device=*", "rules:2:52: expected device=* alone (it grants every "
                                     "device), found it after other device grants"},
        {"runtime=", "rules:2:36: expected runtime=NAME ([A-Za-z0-9][A-Za-z0-9_.-]*), found "
                     "'runtime='"},
        {"runtime=-x", "rules:2:36: expected runtime=NAME ([A-Za-z0-9][A-Za-z0-9_.-]*), found "
                       "'runtime=-x'"},
        {"runtime=a runtime=a", "rules:2:46: expected each runtime once, found 'runtime=a' "
                                "again"},
        {"privileged unsafe", "rules:2:47: expected 'unsafe' alone (it turns body inspection "
                              "off), found it after other grants"},
        {"unsafe privileged", "rules:2:43: expected 'unsafe' alone (it turns body inspection "
                              "off), found 'privileged' after it"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "profile a\nallow POST /containers/create body %s\n",
                 rows[i].grants);
        fails_n(text, strlen(text), rows[i].msg, __LINE__);
    }
    FAILS("profile a\ndeny POST /containers/create body privileged\n",
          "rules:2:30: expected no body grants on a deny rule (a deny refuses the request "
          "whatever its body), found 'body'");
    FAILS("profile a\ndeny POST /x query a body privileged\n",
          "rules:2:22: expected no body grants on a deny rule (a deny refuses the request "
          "whatever its body), found 'body'");
}

static void test_filter_errors(void)
{
    FAILS("profile a\nvisible\n", "rules:2:8: expected 'label' after 'visible', found the end of "
                                  "the line");
    FAILS("profile a\nvisible labels a=b\n", "rules:2:9: expected 'label' after 'visible', found "
                                             "'labels'");
    FAILS("profile a\nstamp label\n", "rules:2:12: expected KEY=VALUE after 'label', found the "
                                      "end of the line");
    FAILS("profile a\nstamp label a=b c\n", "rules:2:17: expected the end of the line after "
                                            "'a=b', found 'c'");
    FAILS("profile a\nvisible label ab\n", "rules:2:15: expected KEY=VALUE after 'visible label', "
                                           "found 'ab'");
    FAILS("profile a\nvisible label =b\n", "rules:2:15: expected KEY=VALUE after 'visible label', "
                                           "found '=b'");
    FAILS("profile a\nvisible label a=b\nvisible label a=b\n",
          "rules:3:15: expected each visible label once in a profile, found 'a=b' again (first at "
          "line 2)");
    FAILS("profile a\nvisible label a=b\nvisible label a=c\n",
          "rules:3:15: expected one visible value for label a (no container carries two), found "
          "'a=c' and a=b at line 2");
    FAILS("profile a\nstamp label a=b\nstamp label a=c\n", "rules:3:13: expected one stamp value "
                                                           "for label a, found 'a=c' and a=b at "
                                                           "line 2");
    ACCEPTS("profile a\nvisible label a=b\nprofile b\nvisible label a=c\n");
}

/* ---- bytes --------------------------------------------------------------------------------- */

static void test_bytes(void)
{
    fails_n("profile a\nallow GET /x\0\n", 24, "rules:2:13: expected text, found a NUL byte",
            __LINE__);
    fails_n("profile a\n# \0 in a comment\n", 27, "rules:2:3: expected text, found a NUL byte",
            __LINE__);
    fails_n("\0", 1, "rules:1:1: expected text, found a NUL byte", __LINE__);
    FAILS("profile a\nallow GET /x \xff\n", "rules:2:14: expected UTF-8 text, found the byte "
                                            "0xFF");
    FAILS("profile a\n# \xc0\x80 overlong\n", "rules:2:3: expected UTF-8 text, found the byte "
                                              "0xC0");
    FAILS("profile a\n# \xe0\x80\xaf overlong\n", "rules:2:3: expected UTF-8 text, found the "
                                                  "byte 0xE0");
    FAILS("profile a\n# \xed\xa0\x80 surrogate\n", "rules:2:3: expected UTF-8 text, found the "
                                                   "byte 0xED");
    FAILS("profile a\n# \xf4\x90\x80\x80 above U+10FFFF\n", "rules:2:3: expected UTF-8 text, "
                                                            "found the byte 0xF4");
    FAILS("profile a\n# \xe2\x82 cut\n", "rules:2:3: expected UTF-8 text, found the byte 0xE2");
    FAILS("profile a\n# \xe2\x82", "rules:2:3: expected UTF-8 text, found the byte 0xE2");
    FAILS("profile a\n# \x80\n", "rules:2:3: expected UTF-8 text, found the byte 0x80");
    ACCEPTS("profile a\n# \xf0\x9f\x98\x80 \xe2\x80\xa8 \xc2\xa0 fine\n");
    FAILS("\xef\xbb\xbfprofile a\n", "rules:1:1: expected text, found the invisible U+FEFF "
                                     "(a byte-order mark)");
    FAILS("profile a\nallow GET /x\xef\xbb\xbf\n", "rules:2:13: expected text, found the "
                                                   "invisible U+FEFF (a byte-order mark)");
    FAILS("profile a\n# \xc2\x85 NEL\n", "rules:2:3: expected text, found the control character "
                                         "U+0085");
    FAILS("profile a\nallow GET /x\x0b\n", "rules:2:13: expected text, found the control "
                                           "character 0x0B");
    FAILS("profile a\x1b\n", "rules:1:10: expected text, found the control character 0x1B");
    FAILS("profile a\x7f\n", "rules:1:10: expected text, found the control character 0x7F");
    FAILS("profile a\rallow GET /x\n", "rules:1:10: expected a line end (LF or CRLF), found a "
                                       "carriage return alone");
    FAILS("profile a\r", "rules:1:10: expected a line end (LF or CRLF), found a carriage return "
                         "alone");
    FAILS("profile a\r\r\n", "rules:1:10: expected a line end (LF or CRLF), found a carriage "
                             "return alone");
}

static char *repeat_lines(size_t n, const char *(*line)(size_t i, char *buf), size_t *len)
{
    size_t cap = n * 40 + 64, used = 0;
    char *text = malloc(cap);
    char buf[64];
    for (size_t i = 0; i < n && text; i++) {
        const char *l = line(i, buf);
        size_t k = strlen(l);
        if (used + k + 1 > cap)
            break;
        memcpy(text + used, l, k);
        used += k;
        text[used++] = '\n';
    }
    *len = used;
    return text;
}

static const char *big_line(size_t i, char *buf)
{
    if (i % 25000 == 0) {
        snprintf(buf, 64, "profile big%u", (unsigned)i);
        return buf;
    }
    if (i % 25 == 0) {
        snprintf(buf, 64, "  allow GET /r%u/json /r%u/{id}", (unsigned)i, (unsigned)i);
        return buf;
    }
    return i % 2 ? "# comment" : "";
}

static const char *rule_line(size_t i, char *buf)
{
    if (i == 0)
        return "profile many";
    snprintf(buf, 64, "allow GET /r%u", (unsigned)i);
    return buf;
}

/* A profile every 1,000 lines, rules in between. */
static const char *spread_line(size_t i, char *buf)
{
    if (i % 1000 == 0)
        snprintf(buf, 64, "profile p%u", (unsigned)i);
    else
        snprintf(buf, 64, "allow GET /r%u", (unsigned)i);
    return buf;
}

static void test_limits(void)
{
    /* 100,000 lines: four profiles, 3,996 rules among comments and blank lines. */
    size_t len;
    char *text = repeat_lines(100000, big_line, &len);
    struct ruleset *rs = text ? parse_n(text, len) : NULL;
    CHECK(rs != NULL, "100,000 lines: %s", diag.error);
    if (rs) {
        CHECK_INT(rs->nprofiles, 4, "profiles of 100,000 lines");
        CHECK_INT(rs->nrules, 3996, "rules of 100,000 lines");
        CHECK_INT(rs->profiles[3].nrules, 999, "rules of the last profile");
        CHECK_INT(rs->profiles[3].rules[998].src.line, 99976, "last rule's line");
    }
    ruleset_free(rs);
    free(text);

    /* 1,025 rules in a profile are one too many; 4,097 in all, too. */
    text = repeat_lines(5000, rule_line, &len);
    if (text) {
        fails_n(text, len,
                "rules:1026:1: expected at most 1024 rules in a profile (presets "
                "included), found more",
                __LINE__);
        free(text);
    }
    text = repeat_lines(5000, spread_line, &len);
    if (text) {
        fails_n(text, len,
                "rules:4102:1: expected at most 4096 rules (presets included), found "
                "more",
                __LINE__);
        free(text);
    }

    /* A 1 MB line. */
    size_t big = 1000000;
    text = malloc(big + 16);
    if (text) {
        memcpy(text, "profile a\n#", 11);
        memset(text + 11, 'x', big);
        fails_n(text, big + 11,
                "rules:2:4097: expected a line of at most 4096 bytes, found a "
                "longer one",
                __LINE__);
        free(text);
    }

    /* 10 MB of input, and one byte over the limit. */
    big = 10 * 1024 * 1024;
    text = malloc(big);
    if (text) {
        memset(text, '\n', big);
        memcpy(text, "profile a", 9);
        fails_n(text, big, "rules:1:1: expected at most 1048576 bytes, found 10485760", __LINE__);
        fails_n(text, RULEFILE_MAX_BYTES + 1,
                "rules:1:1: expected at most 1048576 bytes, found "
                "1048577",
                __LINE__);
        rs = parse_n(text, RULEFILE_MAX_BYTES);
        CHECK(rs != NULL, "exactly 1 MiB: %s", diag.error);
        ruleset_free(rs);
        free(text);
    }

    /* Words on a line. */
    char words[1024] = "profile a\nallow GET";
    for (int i = 0; i < 255; i++)
        strcat(words, " /a");
    fails_n(words, strlen(words), "rules:2:773: expected at most 256 words on a line, found more",
            __LINE__);
    /* Values of one condition. */
    char vals[512] = "profile a\nallow GET /x query a=0";
    for (int i = 1; i <= 64; i++)
        snprintf(vals + strlen(vals), sizeof(vals) - strlen(vals), "|%d", i);
    fails_n(vals, strlen(vals),
            "rules:2:22: expected at most 64 values of a key, found "
            "'0|1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16|17|18|19|20|21|22|2...'",
            __LINE__);
}

/* A message longer than RULE_DIAG_MSG is cut on a UTF-8 boundary. */
static void test_long_message(void)
{
    static char name[1600];
    for (size_t i = 0; i + 2 < sizeof(name); i += 2)
        memcpy(name + i, "\xc3\xa9", 2);
    struct ruleset *rs = NULL;
    CHECK(rulefile_parse(name, "x", 1, &env, &rs, &diag) == -1 && rs == NULL, "long name");
    size_t n = strlen(diag.error);
    CHECK(n < RULE_DIAG_MSG && n >= RULE_DIAG_MSG - 4, "cut at %zu", n);
    CHECK(n % 2 == 0 && memcmp(diag.error, name, n) == 0, "cut between characters: %zu", n);
    CHECK(diag.line == 1 && diag.col == 1, "position %u:%u", diag.line, diag.col);
}

/* ---- presets ------------------------------------------------------------------------------- */

static void test_presets(void)
{
    size_t len = 0;
    CHECK(rulefile_preset_table(presets, "nested", &len) == presets[1].text && len == 31,
          "table lookup %zu", len);
    CHECK(rulefile_preset_table(presets, "nope", &len) == NULL, "table miss");
    CHECK(rulefile_preset_table(NULL, "nested", &len) == NULL, "no table");
    FAILS("profile a\npreset nope\n", "rules:2:8: expected the name of a preset (sockwarden "
                                      "presets lists them), found 'nope'");
    FAILS("profile a\npreset\n", "rules:2:7: expected a preset name after 'preset', found the end "
                                 "of the line");
    FAILS("profile a\npreset Traefik\n", "rules:2:8: expected a preset name ([a-z0-9][a-z0-9_-]*, "
                                         "at most 64 bytes), found 'Traefik'");
    FAILS("profile a\npreset traefik x\n", "rules:2:16: expected the end of the line after "
                                           "'traefik', found 'x'");
    FAILS("profile a\npreset traefik\npreset traefik\n",
          "rules:3:8: expected each preset once in a profile, found 'traefik' again (first at "
          "rules:2)");
    FAILS("profile a\npreset loop\n", "rules:2:8: preset loop:1:8: preset loop2:1:8: expected a "
                                      "preset that does not include itself, found 'loop'");
    FAILS("profile a\npreset bad\n", "rules:2:8: preset bad:2:11: expected a path starting with "
                                     "'/' (or query, or body), found 'nopath'");
    FAILS("profile a\n  preset modeful\n", "rules:2:10: preset modeful:1:1: expected allow, deny "
                                           "or preset in a preset, found 'mode'");
    FAILS("profile a\npreset binary\n", "rules:2:8: preset binary:2:1: expected text, found the "
                                        "control character 0x01");
    FAILS("profile a\npreset d1\n",
          "rules:2:8: preset d1:1:8: preset d2:1:8: preset d3:1:8: preset d4:1:8: preset d5:1:8: "
          "preset d6:1:8: preset d7:1:8: preset d8:1:8: expected presets nested at most 8 deep, "
          "found 'd9' deeper");
    fails_without_env("profile a\npreset traefik\n", "f:2:8: expected the name of a preset "
                                                     "(sockwarden presets lists them), found "
                                                     "'traefik'");

    struct ruleset *rs =
        OK("profile a\n  allow GET /x\n  preset nested\n  preset empty\n  allow GET /y\n"
           "profile b\n  preset traefik\n");
    if (rs) {
        const struct rule_profile *p = &rs->profiles[0];
        CHECK_INT(p->nrules, 1 + 1 + 2 + 1, "nested rules");
        CHECK_INT(p->npresets, 3, "uses: nested, traefik, empty");
        CHECK(str_is(p->presets[0].name, "nested") && p->presets[0].first_rule == 1 &&
                  p->presets[0].nrules == 3,
              "nested span");
        CHECK(str_is(p->presets[1].name, "traefik") && p->presets[1].first_rule == 2 &&
                  p->presets[1].nrules == 2 &&
                  strcmp(p->presets[1].src.file, "preset nested") == 0 &&
                  p->presets[1].src.line == 2,
              "inner span");
        CHECK(str_is(p->presets[2].name, "empty") && p->presets[2].first_rule == 4 &&
                  p->presets[2].nrules == 0,
              "empty span");
        const struct rule *r = &p->rules[3];
        CHECK(strcmp(r->src.file, "preset traefik") == 0 && r->src.line == 3, "inner src");
        CHECK(strcmp(r->at.file, "rules") == 0 && r->at.line == 3 && r->at.col == 10, "inner at");
        CHECK(p->rules[4].src.line == 5 && strcmp(p->rules[4].src.file, "rules") == 0, "after");
        CHECK(rs->profiles[1].nrules == 2 && rs->profiles[1].presets[0].first_rule == 0,
              "second profile");
    }
    ruleset_free(rs);
}

/* ---- coverage ------------------------------------------------------------------------------ */

static void test_coverage(void)
{
    FAILS("profile a\nallow GET /containers/{id}/json\ndeny GET /containers/abc/json\n",
          "rules:3:1: deny can never decide: allow at rules:2 covers every request it matches");
    FAILS("profile a\ndeny * /**\nallow GET /_ping\n",
          "rules:3:1: allow can never decide: deny at rules:2 covers every request it matches");
    FAILS("profile a\n  allow GET /x\n  deny HEAD /x\n",
          "rules:3:3: deny can never decide: allow at rules:2 covers every request it matches");
    FAILS("profile a\npreset traefik\ndeny GET /events\n",
          "rules:3:1: deny can never decide: allow at preset traefik:2 (rules:2) covers every "
          "request it matches");
    FAILS("profile a\ndeny GET /containers/** /networks\npreset traefik\n",
          "rules:3:8: preset traefik:3:1: allow can never decide: deny at rules:2 covers every "
          "request it matches");
    FAILS("profile a\nallow GET /images/{ref}/json\ndeny GET /images/ghcr.io/acme/app:1.2/json\n",
          "rules:3:1: deny can never decide: allow at rules:2 covers every request it matches");
    FAILS("profile a\nallow GET /images/{id}/json\ndeny GET /images/json/json\n",
          "rules:3:1: deny can never decide: allow at rules:2 covers every request it matches");
    FAILS("profile a\nallow GET /x/* /y\ndeny GET /y /x/{id}\n",
          "rules:3:1: deny can never decide: allow at rules:2 covers every request it matches");
    FAILS("profile a\nallow POST /images/create query fromImage\n"
          "deny POST /images/create query fromImage=alpine|busybox only fromImage,tag\n",
          "rules:3:1: deny can never decide: allow at rules:2 covers every request it matches");
    FAILS("profile a\nallow GET /x query only a,b,c\ndeny GET /x query only a,d !d\n",
          "rules:3:1: deny can never decide: allow at rules:2 covers every request it matches");
    FAILS("profile a\nallow GET /x query !force\ndeny GET /x query only a\n",
          "rules:3:1: deny can never decide: allow at rules:2 covers every request it matches");
    FAILS("profile a\ndeny GET /networks\nallow GET /networks\n",
          "rules:3:1: allow can never decide: deny at rules:2 covers every request it matches");
    /* The first rule with the opposite verdict is the one named, even after a same-verdict one. */
    FAILS("profile a\nallow GET /**\ndeny GET /**\ndeny GET /x\n",
          "rules:3:1: deny can never decide: allow at rules:2 covers every request it matches");
    FAILS("profile a\ndeny GET /x/**\nallow * /**\nallow GET /x/y\n",
          "rules:4:1: allow can never decide: deny at rules:2 covers every request it matches");

    WARNS("profile a\nallow GET /**\nallow GET /x\n",
          "rules:3:1: allow can never decide: allow at rules:2 covers every request it matches");
    WARNS("profile a\nallow POST /containers/create\nallow POST /containers/create body "
          "privileged\n",
          "rules:3:1: allow can never decide: allow at rules:2 covers every request it matches "
          "(so its body grants never apply)");
    WARNS("profile a\n  deny * /containers/{id}/exec\n  deny POST /containers/{id}/exec\n",
          "rules:3:3: deny can never decide: deny at rules:2 covers every request it matches");
    WARNS("profile a\n  preset traefik\n  allow GET /version\n",
          "rules:3:3: allow can never decide: allow at preset traefik:2 (rules:2) covers every "
          "request it matches");

    /* Not covered: different methods, fixed words, narrower paths, stricter queries, other
     * profiles, the /networks/ alias, the example's own rules. */
    ACCEPTS("profile a\nallow * /networks/{id}\ndeny POST /networks/create\n");
    ACCEPTS("profile a\nallow GET /containers/{id}\ndeny GET /containers/json\n");
    ACCEPTS("profile a\nallow GET /images/{id}\ndeny GET /images/json\n");
    ACCEPTS("profile a\nallow HEAD /x\ndeny GET /x\n");
    ACCEPTS("profile a\nallow GET /x\ndeny GET /x/y\n");
    ACCEPTS("profile a\nallow GET /x/{id}\ndeny GET /x/*\n");
    ACCEPTS("profile a\nallow GET /x/*\ndeny GET /x/**\n");
    ACCEPTS("profile a\nallow GET /x/**\ndeny GET /x\n");
    ACCEPTS("profile a\nallow GET /a/{id}/b\ndeny GET /a/{ref}/b\n");
    ACCEPTS("profile a\nallow GET /a/{id}\ndeny GET /a/-x\n");
    ACCEPTS("profile a\nallow GET /images/{ref}/json\ndeny GET /images/{id}/json\n");
    ACCEPTS("profile a\nallow GET /images/{ref}/json\ndeny GET /images/UPPER/json\n");
    ACCEPTS("profile a\nallow GET /x query a\ndeny GET /x\n");
    ACCEPTS("profile a\nallow GET /x query a=1\ndeny GET /x query a=1|2\n");
    ACCEPTS("profile a\nallow GET /x query only a\ndeny GET /x query only a,b\n");
    ACCEPTS("profile a\nallow GET /x query !a\ndeny GET /x query a\n");
    ACCEPTS("profile a\nallow GET /*\ndeny GET /networks\n");
    ACCEPTS("profile a\nallow GET /**\ndeny GET /networks\n");
    ACCEPTS("profile a\nallow GET /x /y\ndeny GET /x /z\n");
    ACCEPTS("profile a\nallow GET /x\nprofile b\ndeny GET /x\n");
    ACCEPTS("profile a\nallow GET /containers/{id}/json\ndeny GET /containers/{id}/{id}\n");

    /* Warnings are bounded; all are counted. */
    char text[4096] = "profile a\nallow GET /**\n";
    for (int i = 0; i < 20; i++)
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "allow GET /x%d\n", i);
    struct ruleset *rs = parse_n(text, strlen(text));
    CHECK(rs != NULL, "warnings only: %s", diag.error);
    ruleset_free(rs);
    CHECK(diag.nwarnings == RULE_DIAG_WARNINGS && diag.nwarnings_total == 20, "%zu/%zu",
          diag.nwarnings, diag.nwarnings_total);
    CHECK(strcmp(diag.warnings[15], "rules:18:1: allow can never decide: allow at rules:2 covers "
                                    "every request it matches") == 0,
          "%s", diag.warnings[15]);
}

int main(void)
{
    test_example();
    test_lexical_good();
    test_data_model();
    test_structure_errors();
    test_match_errors();
    test_method_errors();
    test_path_errors();
    test_query_errors();
    test_grant_errors();
    test_filter_errors();
    test_bytes();
    test_limits();
    test_long_message();
    test_presets();
    test_coverage();
    return TEST_SUMMARY("rulefile");
}
