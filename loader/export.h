/* export.h: tp-load --export-filename FILE: events go to a file that
 * rotates by size, as Tetragon's JSON export does.
 *
 * When the next event would take FILE past --export-file-max-size-mb, FILE
 * is renamed to a backup named after the time (events.json becomes
 * events-2026-11-30T12-00-00.000.json, the UTC time of the rotation, as
 * Tetragon's exporter names them) and a new FILE is started. Rotation
 * happens between two events (output.h): no line is split or lost, and
 * every event is counted written or lost as on stdout. Backups beyond
 * --export-file-max-backups are deleted, oldest first; with
 * --export-file-compress each backup is gzipped (zlib) by a thread of its
 * own, so a flood of events never waits for compression.
 *
 * SIGHUP (which under --dir also rescans) and SIGUSR1 reopen FILE
 * (tpl_export_reopen) for an external logrotate that renamed it. A write that fails (a full disk) counts the events lost and
 * tp-load goes on: the next batch tries again. */
#ifndef TPL_EXPORT_H
#define TPL_EXPORT_H

#include <sys/types.h>

#include "output.h"

struct tpl_export_opts {
	const char *path;
	unsigned long max_size_mb; /* 0: never rotate by size */
	unsigned max_backups;      /* 0: keep every backup */
	int compress;
	mode_t perm;
};

#define TPL_EXPORT_MAX_SIZE_MB 10
#define TPL_EXPORT_MAX_BACKUPS 5
#define TPL_EXPORT_PERM 0600

/* Opens (creates, appends to) the file; returns its fd, or -1 (reported). */
int tpl_export_open(const struct tpl_export_opts *o);
/* Makes b rotate the file opened by tpl_export_open (b writes to it). */
void tpl_export_attach(struct tpl_batch *b);
/* SIGHUP or SIGUSR1 (why, for the status line): the file was moved
 * away; write to a new one at the path. b must be flushed. */
void tpl_export_reopen(struct tpl_batch *b, const char *why);
/* At exit: waits for the backups being compressed. */
void tpl_export_finish(void);

#endif
