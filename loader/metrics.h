/* metrics.h: tp-load --metrics-server ADDR:PORT.
 *
 * A small HTTP/1.x responder on its own thread answers
 *   GET /metrics  Prometheus text (version 0.0.4) of the counters below;
 *   GET /healthz  200 "ok" while every object is attached and the event
 *                 loop turns, else 503 with the reason;
 *   GET /livez    200 while the event loop turns (for a liveness probe:
 *                 a policy that fails to load is no reason to restart).
 *
 * Counters are exact: events are counted when their bytes reach the
 * output (output.h's on_written), so tpc_events_total equals the lines
 * printed; what was formatted and did not get out is
 * tpc_events_lost_total{reason="not_written"}.
 *
 * Every function is a no-op until tpl_metrics_start succeeded; the main
 * thread calls them, the server thread only reads under the lock. */
#ifndef TPL_METRICS_H
#define TPL_METRICS_H

#include <stddef.h>

struct tpl_obj;

/* Checks the syntax of ADDR:PORT ("127.0.0.1:2112", "[::1]:2112",
 * ":2112" for every address, "localhost:2112"); 0, or -1 with the reason
 * in err. */
int tpl_metrics_check_addr(const char *addr, char *err, size_t errlen);

/* Binds and listens, then starts the server thread. -1 (reported) when the
 * address cannot be bound. */
int tpl_metrics_start(const char *addr);
/* Stops the thread and closes the socket. */
void tpl_metrics_stop(void);
int tpl_metrics_enabled(void);

/* The tag (output.h) of events of one type and policy: json_key is the
 * event's top-level key ("process_kprobe"), shown as Tetragon's type name
 * (PROCESS_KPROBE). 0 when metrics are off. */
unsigned tpl_metrics_series(const char *json_key, const char *policy);

/* output.h's on_written: these events reached the output. */
void tpl_metrics_written(void *ctx, const unsigned *tags, size_t n);
/* An event the export filters dropped. */
void tpl_metrics_filtered(unsigned tag);
/* A record that could not be decoded. */
void tpl_metrics_malformed(void);
/* Events formatted that did not reach the output, so far (a total). */
void tpl_metrics_set_unwritten(unsigned long long n);

/* An object attached (its ring buffer, lost counter and policies are
 * followed from now on) or about to be closed (its last counts are kept). */
void tpl_metrics_add_object(const struct tpl_obj *o, int nhooks);
void tpl_metrics_remove_object(const struct tpl_obj *o);

/* What /healthz says: ok, or why not ("starting", "3 objects failed to
 * load", "stopping"). */
void tpl_metrics_health(int ok, const char *why);
/* The event loop turned (for /livez and /healthz). */
void tpl_metrics_heartbeat(void);

#endif
