/* filter.h: Tetragon's export filters and redaction filters.
 *
 *   --export-allowlist JSON   an event is exported when any of these
 *                             filters matches it (none given: every event)
 *   --export-denylist JSON    ... and not when any of these matches
 *   --redaction-filters JSON  capture groups of these regexes in process
 *                             arguments become "*****"
 *
 * Each flag takes the JSON text itself: one or more JSON objects one after
 * the other (Tetragon's flags: newline-separated objects), each a Tetragon
 * Filter (fields binary_regex, namespace, health_check, pid, pid_set,
 * event_set, pod_regex, arguments_regex, labels, policy_names,
 * capabilities, parent_binary_regex, parent_arguments_regex,
 * container_id, in_init_tree, ancestor_binary_regex) or RedactionFilter
 * (redact, binary_regex). The fields of one filter must all match. Field
 * names are snake_case (or lowerCamelCase, as protojson writes them);
 * an unknown field, a value of the wrong type or a regex that does not
 * compile is an error that names it. Regexes have RE2's syntax (as
 * Tetragon's Go regexp) and run on PCRE2, which reads that syntax ($ is
 * the end of the text, \d \s \w are ASCII) and more; matching is bounded
 * so that no regex can stall tp-load.
 *
 * Filters look at an event as Tetragon's do at its protojson fields: they
 * are given the event's JSON line, whatever printed it, so a field added
 * to events is filterable at once. */
#ifndef TPL_FILTER_H
#define TPL_FILTER_H

#include <stddef.h>

/* Parses the flags (each may be NULL). 0, or -1 with what is wrong in err
 * ("--export-allowlist: filter 2: binary_regex: ..."). */
int tpl_filters_init(const char *allow, const char *deny, const char *redact, char *err, size_t errlen);
void tpl_filters_fini(void);

/* An allowlist or a denylist was given. */
int tpl_filters_active(void);
/* Redaction filters were given. */
int tpl_redaction_active(void);

/* Whether the event (one JSON line) passes the allowlist and denylist. */
int tpl_filters_keep(const char *json, size_t len);

/* Redacts the arguments of every process object of the event (process,
 * parent, ancestors), each with the filters whose binary_regex matches
 * its binary. Returns 1 and a new line in *out (malloc'd, *outlen bytes)
 * when anything changed, 0 when nothing did, -1 when the line is not
 * JSON. */
int tpl_redact_json(const char *json, size_t len, char **out, size_t *outlen);

/* Redacts one process's arguments (for printers of other forms): a
 * malloc'd string, or NULL when nothing changed. */
char *tpl_redact_args(const char *binary, const char *args, size_t len, size_t *outlen);

#endif
