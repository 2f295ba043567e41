/* check — the `sockwarden check` sub-command: explains what the policy would do with a request.
 *
 *   sockwarden check METHOD TARGET   one verdict line; exit 0 allow, 1 deny, 2 unparsable/usage
 *   sockwarden check -               "METHOD TARGET" lines from `in` (blank lines and lines
 *                                    starting with '#' are skipped); exit 0 if all allowed,
 *                                    1 if any denied, 2 if any line is malformed
 *
 * argv holds the arguments after "check". Everything, errors included, is written to `out`.
 */
#ifndef SW_CHECK_H
#define SW_CHECK_H

#include <stdio.h>

#include "config/config.h"

int check_main(const struct config *c, int argc, char **argv, FILE *in, FILE *out);

#endif
