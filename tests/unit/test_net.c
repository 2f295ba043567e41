/* net: listeners opened and, on failure, none left behind (not even their socket files). */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "os/net.h"

static struct bind unix_bind(const char *path)
{
    struct bind b = {.kind = BIND_UNIX, .mode = -1};
    snprintf(b.path, sizeof b.path, "%s", path);
    return b;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static void test_failed_set_leaves_nothing(void)
{
    char dir[] = "/tmp/sw-net-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp: %s", strerror(errno));
        return;
    }
    char a[128], b[128], c[128];
    snprintf(a, sizeof a, "%s/a.sock", dir);
    snprintf(b, sizeof b, "%s/b.sock", dir);
    snprintf(c, sizeof c, "%s/missing/c.sock", dir);
    struct bind binds[3] = {unix_bind(a), unix_bind(b), unix_bind(c)};
    struct listener ls[3];
    char err[256] = "";
    CHECK_INT(net_listen(binds, 3, false, ls, err, sizeof err), -1, "a set with an impossible bind");
    CHECK(!exists(a) && !exists(b), "socket files left behind after a failed set");
    CHECK(strstr(err, c) && strstr(err, "BIND_CONFIG"), "error names the bind: %s", err);
    /* A set that opens is kept whole, and works. */
    CHECK_INT(net_listen(binds, 2, false, ls, err, sizeof err), 2, "a set that opens");
    CHECK(exists(a) && exists(b) && ls[0].is_unix && ls[1].is_unix, "listeners");
    for (int i = 0; i < 2; i++)
        close(ls[i].fd);
    unlink(a);
    unlink(b);
    rmdir(dir);
}

int main(void)
{
    test_failed_set_leaves_nothing();
    return TEST_SUMMARY("net");
}
