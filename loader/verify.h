/* verify.h: tp-load --verify: pass every program of an object through the
 * kernel verifier, without attaching anything. */
#ifndef TPL_VERIFY_H
#define TPL_VERIFY_H

/* Print one line per program to stdout; on a rejection, name the program
 * and print the tail of the verifier log to stderr.  Returns 0 when every
 * program loaded, else 1. */
int tpl_verify(const char *path);

#endif
