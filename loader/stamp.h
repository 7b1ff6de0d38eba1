/* stamp.h: where start-up time goes. With TPL_TIMING set in the
 * environment, tp-load (and its loading children) write one line per
 * stage of start-up on stderr:
 *   tp-load: timing 12.345 ms [pid] what
 * the time since tp-load's main() began (CLOCK_MONOTONIC; a loading child
 * counts from its parent's start, it inherits it). Unset: nothing is
 * written and a stamp costs one branch. For measuring, not for parsing. */
#ifndef TPL_STAMP_H
#define TPL_STAMP_H

/* Read TPL_TIMING and note the start; first thing in main(). */
void tpl_stamp_init(void);

/* One line naming the stage just finished (printf format). */
void tpl_stamp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
