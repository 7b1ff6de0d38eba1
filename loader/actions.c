/* actions.c: GetUrl and DnsLookup on worker threads (see actions.h).
 *
 * One mutex guards the queue and the counters.  The main thread only ever
 * holds it for a copy into the queue, so a slow or dead server, or a
 * resolver that never answers, delays a worker and never the printing of
 * events. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>
#include <dlfcn.h>

#include "actions.h"
#include "log.h"

/* libcurl is opened when the first action runs, not linked: most objects
 * have no GetUrl, and libcurl with its TLS and resolver libraries would
 * add about 5 MB to every tp-load's resident memory (bench). */
static struct {
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
} cu;

static int curl_open(void)
{
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		tpl_err("cannot load libcurl (%s): GetUrl actions will fail; install libcurl4", dlerror());
		return -1;
	}
#define SYM(field, name)                                          \
	if (!(*(void **)&cu.field = dlsym(h, name))) {             \
		tpl_err("libcurl lacks %s: GetUrl actions will fail", name); \
		return -1;                                         \
	}
	SYM(global_init, "curl_global_init");
	SYM(global_cleanup, "curl_global_cleanup");
	SYM(easy_init, "curl_easy_init");
	SYM(easy_setopt, "curl_easy_setopt");
	SYM(easy_perform, "curl_easy_perform");
	SYM(easy_getinfo, "curl_easy_getinfo");
	SYM(easy_cleanup, "curl_easy_cleanup");
	SYM(easy_strerror, "curl_easy_strerror");
#undef SYM
	return 0;
}

#undef curl_easy_setopt /* curl.h's type-checking macros */
#undef curl_easy_getinfo
#define curl_global_init cu.global_init
#define curl_global_cleanup cu.global_cleanup
#define curl_easy_init cu.easy_init
#define curl_easy_setopt cu.easy_setopt
#define curl_easy_perform cu.easy_perform
#define curl_easy_getinfo cu.easy_getinfo
#define curl_easy_cleanup cu.easy_cleanup
#define curl_easy_strerror cu.easy_strerror

enum act_kind { ACT_GETURL, ACT_DNSLOOKUP };

struct act_item {
	enum act_kind kind;
	char *value; /* our copy: the manifest may go away (--dir reloads) */
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t work; /* an item was queued, or the pool is stopping */
	pthread_cond_t idle; /* a worker finished an item, or exited */
	struct act_item q[TPL_ACTION_QUEUE];
	unsigned head, len;
	int running;  /* items being performed */
	int stopping; /* workers exit once the queue is empty */
	int abandon;  /* workers take no further item */
	int started, start_failed;
	int curl_ok; /* libcurl loaded and initialised: GetUrl can run */
	int nthreads, alive;
	pthread_t th[TPL_ACTION_WORKERS];
	unsigned long long succeeded, failed, dropped;
	unsigned long long by_kind[2][3]; /* [kind][succeeded, failed, dropped] (metrics) */
} pool = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
};

/* Workers report at the same time: holding stderr's stdio lock across one
 * tpl_info/tpl_err call (it writes a line in several pieces) keeps each
 * report on its own line.  The lock is recursive, so the calls inside
 * take it again. */
#define REPORT(fn, ...)                  \
	do {                             \
		flockfile(stderr);       \
		(fn)(__VA_ARGS__);       \
		funlockfile(stderr);     \
	} while (0)

static const char *kind_name(enum act_kind k)
{
	return k == ACT_GETURL ? "GetUrl" : "DnsLookup";
}

/* The value as it may appear on one stderr line: control bytes escaped
 * (the manifest is untrusted), long values cut with "...". */
static void printable(char *dst, size_t n, const char *src)
{
	size_t o = 0;

	for (; *src && o + 8 < n; src++) {
		unsigned char c = (unsigned char)*src;
		if (c < 0x20 || c == 0x7f || c == '\\')
			o += snprintf(dst + o, n - o, "\\x%02x", c);
		else
			dst[o++] = (char)c;
	}
	if (*src)
		o += snprintf(dst + o, n - o, "...");
	dst[o < n ? o : n - 1] = '\0';
}

static size_t discard_body(char *p, size_t size, size_t nmemb, void *ud)
{
	(void)p;
	(void)ud;
	return size * nmemb;
}

/* One HTTP(S) GET; the body is read and thrown away.  A transport error
 * or an HTTP status of 400 or more counts as a failure. */
static int do_geturl(const char *url, const char *shown)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;
	if (!pool.curl_ok) {
		REPORT(tpl_err, "GetUrl %s -> error: libcurl is not available", shown);
		return -1;
	}
	CURL *c = curl_easy_init();

	if (!c) {
		REPORT(tpl_err, "GetUrl %s -> error: cannot create a curl handle", shown);
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM in threads */
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, TPL_ACTION_TIMEOUT_S * 1000L);
	/* no redirects: the policy's URL is the only one fetched, so a web hook
	 * cannot send tp-load (root, on the node) to loopback or another host;
	 * a 3xx is reported with where it pointed */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	/* a policy names a web hook; file://, ftp:// and the like are refused */
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tp-load");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_body);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c);
	char where[160] = "";
	if (rc == CURLE_OK) {
		char *loc = NULL;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 300 && status < 400 && curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
		    loc)
			printable(where, sizeof(where), loc); /* the server chose it */
	}
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		REPORT(tpl_err, "GetUrl %s -> error: %s", shown,
			errbuf[0] ? errbuf : curl_easy_strerror(rc));
		return -1;
	}
	if (status >= 300 && status < 400) {
		REPORT(tpl_err, "GetUrl %s -> %ld, redirect to %s not followed", shown, status,
		       where[0] ? where : "(no Location)");
		return -1;
	}
	if (status >= 400) {
		REPORT(tpl_err, "GetUrl %s -> %ld", shown, status);
		return -1;
	}
	REPORT(tpl_info, "GetUrl %s -> %ld", shown, status);
	return 0;
}

/* One lookup through the system resolver (nsswitch, resolv.conf); the
 * answer lists every address, IPv4 and IPv6, in the resolver's order. */
static int do_dnslookup(const char *name, const char *shown)
{
	struct addrinfo hints, *res = NULL, *ai;
	char list[512] = "", addr[INET6_ADDRSTRLEN];
	size_t used = 0;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM; /* one entry per address */
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc) {
		REPORT(tpl_err, "DnsLookup %s -> error: %s", shown,
			rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		const void *a = ai->ai_family == AF_INET ?
			(const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr :
			(const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    !inet_ntop(ai->ai_family, a, addr, sizeof(addr)))
			continue;
		size_t n = strlen(addr);
		if (used + n + 3 >= sizeof(list))
			break;
		used += snprintf(list + used, sizeof(list) - used, "%s%s",
				 used ? ", " : "", addr);
	}
	freeaddrinfo(res);
	REPORT(tpl_info, "DnsLookup %s -> %s", shown, used ? list : "no address");
	return 0;
}

static int perform(const struct act_item *it)
{
	char shown[1024];

	printable(shown, sizeof(shown), it->value);
	return it->kind == ACT_GETURL ? do_geturl(it->value, shown) :
					do_dnslookup(it->value, shown);
}

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pool.mu);
	for (;;) {
		while (!pool.len && !pool.stopping && !pool.abandon)
			pthread_cond_wait(&pool.work, &pool.mu);
		if (pool.abandon || !pool.len)
			break;
		struct act_item it = pool.q[pool.head];
		pool.head = (pool.head + 1) % TPL_ACTION_QUEUE;
		pool.len--;
		pool.running++;
		pthread_mutex_unlock(&pool.mu);

		int rc = perform(&it);
		free(it.value);

		pthread_mutex_lock(&pool.mu);
		pool.running--;
		if (rc)
			pool.failed++;
		else
			pool.succeeded++;
		pool.by_kind[it.kind == ACT_GETURL ? 0 : 1][rc ? 1 : 0]++;
		pthread_cond_broadcast(&pool.idle);
	}
	pool.alive--;
	pthread_cond_broadcast(&pool.idle);
	pthread_mutex_unlock(&pool.mu);
	return NULL;
}

/* Start curl and the workers.  Workers block every signal: SIGINT, SIGTERM
 * and SIGHUP must reach the main thread, whose poll they interrupt. */
static void start(void)
{
	sigset_t all, old;
	int err;

	pool.started = 1;
	/* without libcurl DnsLookup still runs; each GetUrl reports the failure */
	pool.curl_ok = !curl_open() && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
	if (!pool.curl_ok)
		tpl_err("cannot initialise libcurl: GetUrl actions will fail");
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; i < TPL_ACTION_WORKERS; i++) {
		err = pthread_create(&pool.th[pool.nthreads], NULL, worker, NULL);
		if (err) {
			tpl_err("cannot start an action worker: %s", strerror(err));
			break;
		}
		pool.nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pool.alive = pool.nthreads;
	if (!pool.nthreads) {
		tpl_err("no action worker: GetUrl and DnsLookup actions will not run");
		if (pool.curl_ok)
			curl_global_cleanup();
		pool.start_failed = 1;
	}
}

static void enqueue(enum act_kind kind, const char *value)
{
	char *copy;
	int report = 0;

	if (!pool.started)
		start();
	copy = pool.start_failed ? NULL : strdup(value);
	pthread_mutex_lock(&pool.mu);
	if (!copy || pool.len == TPL_ACTION_QUEUE) {
		report = pool.dropped++ == 0 && copy;
		pool.by_kind[kind == ACT_GETURL ? 0 : 1][2]++;
		free(copy);
	} else {
		pool.q[(pool.head + pool.len) % TPL_ACTION_QUEUE] =
			(struct act_item){ .kind = kind, .value = copy };
		pool.len++;
		pthread_cond_signal(&pool.work);
	}
	pthread_mutex_unlock(&pool.mu);
	if (report)
		REPORT(tpl_err, "%d actions are waiting: dropping %s and further actions while the queue is full (counted at exit)",
			TPL_ACTION_QUEUE, kind_name(kind));
}

void tpl_actions_submit(const struct tpc_manifest *m, const struct tpc_ev *ev)
{
	tpc_u32 want = ev->h.actions & (TPC_ACT_GETURL | TPC_ACT_DNSLOOKUP);

	if (!want)
		return;
	for (int i = 0; i < m->nactions; i++) {
		const struct tpc_maction *a = &m->actions[i];
		if (a->hook != ev->h.hook || a->selector != ev->h.selector)
			continue;
		if (strcmp(a->kind, "GetUrl") == 0 && (want & TPC_ACT_GETURL))
			enqueue(ACT_GETURL, a->value);
		else if (strcmp(a->kind, "DnsLookup") == 0 &&
			 (want & TPC_ACT_DNSLOOKUP))
			enqueue(ACT_DNSLOOKUP, a->value);
	}
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait on pool.idle for at most ms milliseconds (pool.mu held). */
static void wait_idle(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_cond_timedwait(&pool.idle, &pool.mu, &ts);
}

void tpl_actions_counts(unsigned long long c[2][3])
{
	pthread_mutex_lock(&pool.mu);
	memcpy(c, pool.by_kind, sizeof(pool.by_kind));
	pthread_mutex_unlock(&pool.mu);
}

void tpl_actions_finish(double max_wait_s, volatile sig_atomic_t *abort)
{
	sig_atomic_t abort0 = abort ? *abort : 0;
	unsigned long long succeeded, failed, dropped, unfinished;
	int busy;

	if (!pool.started)
		return;
	pthread_mutex_lock(&pool.mu);
	pool.stopping = 1;
	pthread_cond_broadcast(&pool.work);
	if (pool.len + pool.running) {
		int n = (int)pool.len + pool.running;
		pthread_mutex_unlock(&pool.mu);
		REPORT(tpl_info, "waiting up to %g s for %d GetUrl/DnsLookup actions", max_wait_s, n);
		pthread_mutex_lock(&pool.mu);
	}
	double deadline = now_mono() + max_wait_s;
	while ((pool.len || pool.running) && now_mono() < deadline &&
	       !(abort && *abort != abort0))
		wait_idle(100);

	/* What is still queued will not run: free it and count it. */
	pool.abandon = 1;
	pthread_cond_broadcast(&pool.work);
	/* counted now: a busy worker that ends later is one of "unfinished" */
	unfinished = pool.len + (unsigned)pool.running;
	succeeded = pool.succeeded;
	failed = pool.failed;
	dropped = pool.dropped;
	while (pool.len) {
		free(pool.q[pool.head].value);
		pool.head = (pool.head + 1) % TPL_ACTION_QUEUE;
		pool.len--;
	}
	/* Idle workers exit at once; busy ones are left to the process exit. */
	while (pool.alive > pool.running)
		wait_idle(100);
	busy = pool.running;
	pthread_mutex_unlock(&pool.mu);

	for (int i = 0; i < pool.nthreads; i++) {
		if (busy)
			pthread_detach(pool.th[i]);
		else
			pthread_join(pool.th[i], NULL);
	}
	if (!busy && !pool.start_failed && pool.curl_ok)
		curl_global_cleanup();
	pool.nthreads = 0;
	/* -q silences a clean summary, never one that reports a loss */
	REPORT(failed || dropped || unfinished ? tpl_err : tpl_info,
		"actions: %llu succeeded, %llu failed, %llu dropped (queue full), %llu unfinished at exit",
		succeeded, failed, dropped, unfinished);
}
