/* test_filter.c: loader/filter.c (Tetragon's export filters and redaction
 * filters) on event lines shaped as Tetragon's: the fields real tp-load
 * events do not carry yet (process arguments, pods) are exercised here;
 * tests/bats/ops.bats runs the filters on real events. Expected results
 * follow Tetragon's filter semantics (pkg/filters) and its redaction
 * (capture groups in arguments become "*****"). */
#include "filter.h"
#include "tap.h"

#include <stdlib.h>

static const char *EV_CAT =
	"{\"process_kprobe\":{\"process\":{\"pid\":100,\"binary\":\"/usr/bin/cat\","
	"\"arguments\":\"/etc/passwd --password=hunter2 -u root\"},"
	"\"parent\":{\"pid\":50,\"binary\":\"/bin/bash\",\"arguments\":\"-c x --password=p4rent\"},"
	"\"function_name\":\"__x64_sys_openat\",\"policy_name\":\"files\"},\"node_name\":\"n\",\"time\":\"t\"}";
static const char *EV_CURL =
	"{\"process_exec\":{\"process\":{\"pid\":101,\"binary\":\"/usr/bin/curl\",\"arguments\":\"-u alice:s3cret http://x\","
	"\"pod\":{\"namespace\":\"prod\",\"name\":\"web-1\",\"pod_labels\":{\"app\":\"web\"}}},"
	"\"parent\":{\"pid\":100}},\"node_name\":\"n\",\"time\":\"t\"}";
static const char *EV_CHILD =
	"{\"process_kprobe\":{\"process\":{\"pid\":102,\"binary\":\"/usr/bin/ls\"},\"parent\":{\"pid\":101},"
	"\"policy_name\":\"other\"},\"time\":\"t\"}";

static int keep(const char *allow, const char *deny, const char *ev)
{
	char err[512];
	if (tpl_filters_init(allow, deny, NULL, err, sizeof(err))) {
		printf("# init: %s\n", err);
		return -1;
	}
	int k = tpl_filters_keep(ev, strlen(ev));
	tpl_filters_fini();
	return k;
}

static char *redact(const char *filters, const char *ev)
{
	char err[512], *out = NULL;
	size_t n;
	if (tpl_filters_init(NULL, NULL, filters, err, sizeof(err))) {
		printf("# init: %s\n", err);
		return NULL;
	}
	int rc = tpl_redact_json(ev, strlen(ev), &out, &n);
	tpl_filters_fini();
	return rc == 1 ? out : rc == 0 ? strdup(ev) : NULL;
}

static int init_fails(const char *allow, const char *want)
{
	char err[512];
	int rc = tpl_filters_init(allow, NULL, NULL, err, sizeof(err));
	tpl_filters_fini();
	if (!rc)
		return 0;
	if (!strstr(err, want))
		printf("# error: %s\n", err);
	return strstr(err, want) != NULL;
}

int main(void)
{
	tap_prefix = "filter";

	OK(keep(NULL, NULL, EV_CAT) == 1, "no filter keeps everything");
	OK(keep("{\"binary_regex\":[\"(?:^|/)cat$\"]}", NULL, EV_CAT) == 1, "binary_regex (RE2 syntax) matches");
	OK(keep("{\"binary_regex\":[\"(?:^|/)cat$\"]}", NULL, EV_CURL) == 0, "binary_regex: other binaries are out");
	OK(keep("{\"binary_regex\":[]}", NULL, EV_CAT) == 0, "an empty list present matches nothing");
	OK(keep("{\"event_set\":[\"PROCESS_EXEC\"]}", NULL, EV_CURL) == 1, "event_set by name");
	OK(keep("{\"event_set\":[1]}", NULL, EV_CURL) == 1, "event_set by number");
	OK(keep("{\"event_set\":[\"PROCESS_EXEC\"]}", NULL, EV_CAT) == 0, "event_set: other types are out");
	OK(keep("{\"policy_names\":[\"files\"]}", NULL, EV_CAT) == 1, "policy_names");
	OK(keep("{\"policy_names\":[\"files\"]}", NULL, EV_CURL) == 0, "policy_names: an event without one");
	OK(keep("{\"pid\":[100]}", NULL, EV_CAT) == 1 && keep("{\"pid\":[100]}", NULL, EV_CURL) == 0, "pid");
	OK(keep("{\"arguments_regex\":[\"\\\\shttp:\"]}", NULL, EV_CURL) == 1, "arguments_regex with \\s");
	OK(keep("{\"parent_binary_regex\":[\"bash\"]}", NULL, EV_CAT) == 1, "parent_binary_regex");
	OK(keep("{\"namespace\":[\"prod\"]}", NULL, EV_CURL) == 1 && keep("{\"namespace\":[\"prod\"]}", NULL, EV_CAT) == 0,
	   "namespace");
	OK(keep("{\"namespace\":[\"\"]}", NULL, EV_CAT) == 1, "namespace \"\": a process outside any pod");
	OK(keep("{\"labels\":[\"app=web\"]}", NULL, EV_CURL) == 1 && keep("{\"labels\":[\"app in (db)\"]}", NULL, EV_CURL) == 0,
	   "labels selectors");
	OK(keep("{\"pod_regex\":[\"^web-\"]}", NULL, EV_CURL) == 1, "pod_regex");
	OK(keep("{\"binary_regex\":[\"cat\"],\"pid\":[101]}", NULL, EV_CAT) == 0, "the fields of one filter are ANDed");
	OK(keep("{\"pid\":[1]}\n{\"pid\":[100]}", NULL, EV_CAT) == 1, "filters one after the other are ORed");
	OK(keep("{\"pid\":[1]}\n{\"pid\":[100]}", NULL, EV_CURL) == 0, "... and none matching is out");
	OK(keep(NULL, "{\"binary_regex\":[\"cat$\"]}", EV_CAT) == 0 && keep(NULL, "{\"binary_regex\":[\"cat$\"]}", EV_CURL) == 1,
	   "denylist");
	OK(keep("{\"policyNames\":[\"files\"]}", NULL, EV_CAT) == 1, "lowerCamelCase names as protojson writes them");

	/* pid_set: the set, then children of matches from then on */
	{
		char err[512];
		OK(tpl_filters_init("{\"pid_set\":[100]}", NULL, NULL, err, sizeof(err)) == 0, "pid_set parses");
		OK(tpl_filters_keep(EV_CAT, strlen(EV_CAT)) == 1, "pid_set: the pid");
		OK(tpl_filters_keep(EV_CURL, strlen(EV_CURL)) == 1, "pid_set: its child");
		OK(tpl_filters_keep(EV_CHILD, strlen(EV_CHILD)) == 1, "pid_set: the child's child");
		tpl_filters_fini();
	}

	OK(init_fails("{\"binary_regex\":[\"(\"]}", "binary_regex: regex \"(\" does not compile"), "a bad regex is named");
	OK(init_fails("{\"nope\":1}", "unknown field \"nope\""), "an unknown field is named");
	OK(init_fails("{\"pid\":[-1]}", "pid: -1 is not a process id"), "a negative pid");
	OK(init_fails("{\"pid\":[1]} x", "--export-allowlist"), "trailing garbage");
	OK(init_fails("{\"cel_expression\":[\"true\"]}", "cel_expression"), "cel_expression is refused");

	char *r = redact("{\"redact\":[\"--password[= ](\\\\S+)\"]}", EV_CAT);
	OK(r && strstr(r, "\"arguments\":\"/etc/passwd --password=***** -u root\""), "redaction of the process: %s",
	   r ? r : "(null)");
	OK(r && strstr(r, "\"arguments\":\"-c x --password=*****\""), "and of the parent");
	OK(r && !strstr(r, "hunter2") && !strstr(r, "p4rent"), "no secret left");
	free(r);
	r = redact("{\"binary_regex\":[\"curl$\"],\"redact\":[\"-u\\\\s+\\\\S+:(\\\\S+)\"]}", EV_CURL);
	OK(r && strstr(r, "-u alice:***** http://x"), "binary_regex limits redaction to curl: %s", r ? r : "(null)");
	free(r);
	r = redact("{\"binary_regex\":[\"curl$\"],\"redact\":[\"--password=(\\\\S+)\"]}", EV_CAT);
	OK(r && strcmp(r, EV_CAT) == 0, "... and leaves cat alone");
	free(r);
	r = redact("{\"redact\":[\"(a)|(b)\"]}", "{\"process_exec\":{\"process\":{\"arguments\":\"abcab\\\"\"}}}");
	OK(r && strstr(r, "\"arguments\":\"**********c**********\\\"\""), "every match, every group; escapes kept: %s",
	   r ? r : "(null)");
	free(r);

	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
