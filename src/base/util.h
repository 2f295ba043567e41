/* util — the few helpers every layer may use.
 *
 * Contract: NELEM(a) is the number of elements of the array a (an array, never a pointer: the
 * compiler then cannot tell, so only pass arrays).
 */
#ifndef SW_UTIL_H
#define SW_UTIL_H

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#endif
