/* metrics.c: see metrics.h.
 *
 * The responder is written here rather than taken from libmicrohttpd: it
 * serves three fixed GET paths of a few KiB to a scraper and a kubelet,
 * which needs a request line and nothing else of HTTP (no bodies, no
 * keep-alive, no chunking, no TLS: a scraper on the node or a sidecar
 * terminates TLS if wanted). Two hundred lines in the loader cost less in
 * review, in the container image and in attack surface than a general
 * HTTP server library running as root. One thread polls the listening
 * socket and up to 64 non-blocking connections, each with 2 seconds for
 * its request and answer, so a client that stalls or trickles bytes
 * holds one slot until then and delays no other (when all are taken the
 * oldest goes); the thread can never stall tp-load: it shares nothing with
 * the event loop but a mutex held while counters are copied or printed. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "actions.h"
#include "attach.h"
#include "log.h"
#include "metrics.h"

#define STALE_NS (30ull * 1000000000ull) /* the event loop is stuck after this */
#define REQ_MAX 8192
#define IO_TIMEOUT_S 2 /* a connection's whole life: request and answer */
#define MAX_CLIENTS 64

struct series {
	char *type;   /* PROCESS_KPROBE */
	char *policy;
	unsigned long long written, filtered;
};

struct mobj {
	const void *key; /* the struct tpl_obj */
	char *name;
	int lost_fd;               /* a dup: the object's own may be closed first */
	int missed_fd;             /* tpc_missed (a dup), or -1: no enforcer */
	char *enforcer_policy;     /* the label of its missed verdicts */
	const unsigned long *cons; /* the ring buffer's consumer and producer positions */
	const unsigned long *prod;
	unsigned long size;
	char **policies;
	int npolicies, nhooks;
};

static struct {
	pthread_mutex_t mu;
	int on;
	int lfd, stop_pipe[2];
	pthread_t th;
	char bound[128];
	struct series *s;
	unsigned ns, cap;
	unsigned last; /* cache of the last series looked up */
	struct mobj *o;
	int no, ocap;
	unsigned long long retired_lost; /* kernel losses of objects closed */
	struct retired_missed {          /* missed verdicts of objects closed, by policy */
		char *policy;
		unsigned long long n;
	} *rm;
	int nrm;
	unsigned long long malformed, unwritten;
	int ok;
	char why[256];
	unsigned long long heartbeat; /* CLOCK_MONOTONIC ns */
	pthread_cond_t started_cv;
	int started; /* the server thread is running its own code */
} M = { .mu = PTHREAD_MUTEX_INITIALIZER, .lfd = -1, .stop_pipe = { -1, -1 },
	.started_cv = PTHREAD_COND_INITIALIZER };

static unsigned long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

int tpl_metrics_enabled(void)
{
	return M.on;
}

/* ---- address ---- */

/* Splits ADDR:PORT into host (NULL: every address) and port. */
static int split_addr(const char *s, char *host, size_t hlen, char *port, size_t plen, char *err, size_t errlen)
{
	const char *colon;
	size_t n;

	if (s[0] == '[') { /* [v6]:port */
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':') {
			snprintf(err, errlen, "expected [IPv6]:PORT");
			return -1;
		}
		n = (size_t)(close - s - 1);
		colon = close + 1;
		if (n >= hlen) {
			snprintf(err, errlen, "address too long");
			return -1;
		}
		memcpy(host, s + 1, n);
		host[n] = '\0';
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			snprintf(err, errlen, "expected ADDR:PORT (e.g. 127.0.0.1:2112 or :2112)");
			return -1;
		}
		n = (size_t)(colon - s);
		if (memchr(s, ':', n)) {
			snprintf(err, errlen, "an IPv6 address goes in brackets: [ADDR]:PORT");
			return -1;
		}
		if (n >= hlen) {
			snprintf(err, errlen, "address too long");
			return -1;
		}
		memcpy(host, s, n);
		host[n] = '\0';
	}
	const char *p = colon + 1;
	char *end;
	errno = 0;
	long v = strtol(p, &end, 10);
	if (!*p || *end || errno || v < 0 || v > 65535 || strlen(p) >= plen) {
		snprintf(err, errlen, "port \"%s\" is not a number from 0 to 65535", p);
		return -1;
	}
	snprintf(port, plen, "%ld", v);
	return 0;
}

int tpl_metrics_check_addr(const char *addr, char *err, size_t errlen)
{
	char host[256], port[16];
	return split_addr(addr, host, sizeof(host), port, sizeof(port), err, errlen);
}

/* ---- rendering ---- */

static void label_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void help(FILE *f, const char *name, const char *type, const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/* Sum over CPUs of a per-CPU array[1] of u64 (tpc_lost, tpc_missed). */
static unsigned long long percpu_sum(int fd)
{
	int ncpus = libbpf_num_possible_cpus();
	unsigned long long sum = 0;
	unsigned key = 0;
	if (fd < 0 || ncpus <= 0)
		return 0;
	unsigned long long *v = calloc((size_t)ncpus, sizeof(*v));
	if (v && bpf_map_lookup_elem(fd, &key, v) == 0)
		for (int i = 0; i < ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

static unsigned long long obj_lost(const struct mobj *o)
{
	return percpu_sum(o->lost_fd);
}

/* tpc_enforcer_missed_total: one series per policy with an enforcer, of
 * the objects attached and those closed (a counter never goes down when
 * --dir replaces an object). Policies are few: linear scans. */
static void render_missed(FILE *f)
{
	struct retired_missed *v = calloc((size_t)(M.nrm + M.no) + 1, sizeof(*v));
	int n = 0;
	if (!v)
		return;
	for (int i = 0; i < M.nrm; i++)
		v[n++] = M.rm[i];
	for (int i = 0; i < M.no; i++) {
		if (M.o[i].missed_fd < 0 || !M.o[i].enforcer_policy)
			continue;
		int k = 0;
		while (k < n && strcmp(v[k].policy, M.o[i].enforcer_policy))
			k++;
		if (k == n)
			v[n++] = (struct retired_missed){ .policy = M.o[i].enforcer_policy };
		v[k].n += percpu_sum(M.o[i].missed_fd);
	}
	help(f, "tpc_enforcer_missed_total", "counter",
	     "NotifyEnforcer verdicts never applied: replaced by the thread's next one, or dropped by "
	     "CleanupEnforcerNotification, before an enforcer call took them; by policy.");
	for (int k = 0; k < n; k++) {
		fputs("tpc_enforcer_missed_total{policy=", f);
		label_value(f, v[k].policy);
		fprintf(f, "} %llu\n", v[k].n);
	}
	free(v);
}

static int has_policy(char **v, int n, const char *p)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], p) == 0)
			return 1;
	return 0;
}

/* The /metrics body, with the lock held. */
static void render(FILE *f)
{
	unsigned long long kernel_lost = M.retired_lost, acts[2][3];
	int npol = 0, nhooks = 0, cap = 0;
	char **pols = NULL;

	help(f, "tpc_events_total", "counter",
	     "Events written to the output (stdout or the export file), by policy and Tetragon event type.");
	for (unsigned i = 0; i < M.ns; i++) {
		fputs("tpc_events_total{policy=", f);
		label_value(f, M.s[i].policy);
		fputs(",type=", f);
		label_value(f, M.s[i].type);
		fprintf(f, "} %llu\n", M.s[i].written);
	}
	help(f, "tpc_events_filtered_total", "counter",
	     "Events the export allowlist, denylist or redaction filters kept from the output.");
	for (unsigned i = 0; i < M.ns; i++) {
		if (!M.s[i].filtered)
			continue;
		fputs("tpc_events_filtered_total{policy=", f);
		label_value(f, M.s[i].policy);
		fputs(",type=", f);
		label_value(f, M.s[i].type);
		fprintf(f, "} %llu\n", M.s[i].filtered);
	}
	for (int i = 0; i < M.no; i++) {
		kernel_lost += obj_lost(&M.o[i]);
		nhooks += M.o[i].nhooks;
		for (int k = 0; k < M.o[i].npolicies; k++) {
			if (has_policy(pols, npol, M.o[i].policies[k]))
				continue;
			if (npol == cap) {
				char **np = realloc(pols, sizeof(*pols) * (size_t)(cap = cap ? cap * 2 : 16));
				if (!np)
					break;
				pols = np;
			}
			pols[npol++] = M.o[i].policies[k];
		}
	}
	free(pols);
	help(f, "tpc_events_lost_total", "counter",
	     "Events lost: ring_buffer_full (the kernel found no room), malformed (a record tp-load "
	     "could not decode), not_written (formatted, but the output failed).");
	fprintf(f, "tpc_events_lost_total{reason=\"ring_buffer_full\"} %llu\n", kernel_lost);
	fprintf(f, "tpc_events_lost_total{reason=\"malformed\"} %llu\n", M.malformed);
	fprintf(f, "tpc_events_lost_total{reason=\"not_written\"} %llu\n", M.unwritten);
	render_missed(f);
	help(f, "tpc_policies_loaded", "gauge", "Policies attached (distinct policy names of the objects loaded).");
	fprintf(f, "tpc_policies_loaded %d\n", npol);
	help(f, "tpc_objects_loaded", "gauge", "Compiled objects attached.");
	fprintf(f, "tpc_objects_loaded %d\n", M.no);
	help(f, "tpc_hooks_attached", "gauge", "Hooks attached, over every object.");
	fprintf(f, "tpc_hooks_attached %d\n", nhooks);

	tpl_actions_counts(acts);
	static const char *const kinds[2] = { "GetUrl", "DnsLookup" };
	static const char *const results[3] = { "succeeded", "failed", "dropped" };
	help(f, "tpc_actions_total", "counter",
	     "Userspace actions of policies performed by tp-load, by action and result (dropped: the queue was full).");
	for (int k = 0; k < 2; k++)
		for (int r = 0; r < 3; r++)
			fprintf(f, "tpc_actions_total{action=\"%s\",result=\"%s\"} %llu\n", kinds[k], results[r],
				acts[k][r]);
	help(f, "tpc_action_failures_total", "counter", "Userspace actions that failed or were dropped, by action.");
	for (int k = 0; k < 2; k++)
		fprintf(f, "tpc_action_failures_total{action=\"%s\"} %llu\n", kinds[k], acts[k][1] + acts[k][2]);

	help(f, "tpc_ringbuf_used_bytes", "gauge", "Bytes of events waiting in an object's ring buffer.");
	for (int i = 0; i < M.no; i++) {
		unsigned long used = 0;
		if (M.o[i].cons && M.o[i].prod)
			used = __atomic_load_n(M.o[i].prod, __ATOMIC_ACQUIRE) -
			       __atomic_load_n(M.o[i].cons, __ATOMIC_ACQUIRE);
		fputs("tpc_ringbuf_used_bytes{object=", f);
		label_value(f, M.o[i].name);
		fprintf(f, "} %lu\n", used);
	}
	help(f, "tpc_ringbuf_size_bytes", "gauge", "Size of an object's ring buffer.");
	for (int i = 0; i < M.no; i++) {
		fputs("tpc_ringbuf_size_bytes{object=", f);
		label_value(f, M.o[i].name);
		fprintf(f, "} %lu\n", M.o[i].size);
	}
	help(f, "tpc_healthy", "gauge", "1 while every object is attached and the event loop turns.");
	int alive = now_ns() - __atomic_load_n(&M.heartbeat, __ATOMIC_RELAXED) < STALE_NS;
	fprintf(f, "tpc_healthy %d\n", M.ok && alive);
}

static void remove_object(const void *key);

/* ---- HTTP ---- */

/* The whole response (status line, headers and, unless HEAD, body). */
static void respond(FILE *o, int head, int status, const char *ctype, const char *body, size_t len)
{
	const char *reason = status == 200 ? "OK" : status == 404 ? "Not Found" : status == 405 ? "Method Not Allowed"
				      : status == 400 ? "Bad Request" : "Service Unavailable";
	fprintf(o, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n", status,
		reason, ctype, len, status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (!head)
		fwrite(body, 1, len, o);
}

/* The answer to a request (what arrived of it, NUL-terminated), into o. */
static void answer(FILE *o, char *req)
{
	char method[16], target[512];
	if (sscanf(req, "%15s %511s HTTP/", method, target) != 2) {
		respond(o, 0, 400, "text/plain", "bad request\n", strlen("bad request\n"));
		return;
	}
	int head = strcmp(method, "HEAD") == 0;
	if (!head && strcmp(method, "GET") != 0) {
		respond(o, 0, 405, "text/plain", "only GET and HEAD\n", strlen("only GET and HEAD\n"));
		return;
	}
	char *q = strchr(target, '?');
	if (q)
		*q = '\0';

	char *body = NULL;
	size_t blen = 0;
	int status = 200;
	FILE *f = open_memstream(&body, &blen);
	if (!f) {
		respond(o, head, 503, "text/plain", "out of memory\n", strlen("out of memory\n"));
		return;
	}
	const char *ctype = "text/plain; charset=utf-8";
	pthread_mutex_lock(&M.mu);
	int alive = now_ns() - __atomic_load_n(&M.heartbeat, __ATOMIC_RELAXED) < STALE_NS;
	if (strcmp(target, "/metrics") == 0) {
		ctype = "text/plain; version=0.0.4; charset=utf-8";
		render(f);
	} else if (strcmp(target, "/healthz") == 0) {
		if (!alive) {
			status = 503;
			fputs("the event loop has not turned for 30 s (is the output blocked?)\n", f);
		} else if (!M.ok) {
			status = 503;
			fprintf(f, "%s\n", M.why[0] ? M.why : "not attached");
		} else {
			fputs("ok\n", f);
		}
	} else if (strcmp(target, "/livez") == 0) {
		status = alive ? 200 : 503;
		fputs(alive ? "ok\n" : "the event loop has not turned for 30 s\n", f);
	} else {
		status = 404;
		fputs("not found: /metrics, /healthz and /livez are served\n", f);
	}
	pthread_mutex_unlock(&M.mu);
	fclose(f);
	respond(o, head, status, ctype, body ? body : "", body ? blen : 0);
	free(body);
}

/* A connection: reading its request, then writing the answer. Every
 * socket is non-blocking and one thread polls them all, so a client that
 * stalls, trickles bytes or never reads holds one slot until its
 * deadline, and never delays the others (a scrape, a kubelet probe). */
struct client {
	int fd; /* -1: free */
	unsigned long long deadline;
	size_t len;
	char req[REQ_MAX + 1];
	char *out;
	size_t outlen, sent;
};

static struct client C[MAX_CLIENTS];

static void drop(struct client *c)
{
	close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
}

/* Reads what is there; once the request is whole (or as big as taken),
 * the answer is made. 0 goes on, -1 drops the client. */
static int on_readable(struct client *c)
{
	for (;;) {
		ssize_t r = recv(c->fd, c->req + c->len, REQ_MAX - c->len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (r < 0)
			return -1;
		if (r == 0 && c->len == 0) /* connected and went away */
			return -1;
		c->len += (size_t)r;
		c->req[c->len] = '\0';
		/* the end of the headers, of what the client sends, or of
		 * what we take: answer */
		if (r == 0 || c->len == REQ_MAX || strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
			break;
	}
	FILE *o = open_memstream(&c->out, &c->outlen);
	if (!o)
		return -1;
	answer(o, c->req);
	fclose(o);
	return c->out ? 0 : -1;
}

/* Sends what the socket takes; -1 when done or failed (drop it). */
static int on_writable(struct client *c)
{
	while (c->sent < c->outlen) {
		ssize_t w = send(c->fd, c->out + c->sent, c->outlen - c->sent, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (w <= 0)
			return -1;
		c->sent += (size_t)w;
	}
	return -1;
}

static void accept_clients(void)
{
	for (;;) {
		int fd = accept4(M.lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return; /* EAGAIN, or a connection reset before accept: nothing to do */
		struct client *c = NULL, *oldest = NULL;
		for (int i = 0; i < MAX_CLIENTS && !c; i++) {
			if (C[i].fd < 0)
				c = &C[i];
			else if (!oldest || C[i].deadline < oldest->deadline)
				oldest = &C[i];
		}
		if (!c) { /* every slot taken: the oldest goes, the newcomer is likelier a real client */
			drop(oldest);
			c = oldest;
		}
		c->fd = fd;
		c->deadline = now_ns() + IO_TIMEOUT_S * 1000000000ull;
		c->len = c->outlen = c->sent = 0;
		c->out = NULL;
	}
}

static void *server(void *arg)
{
	struct pollfd p[MAX_CLIENTS + 2];
	int who[MAX_CLIENTS + 2];
	(void)arg;

	pthread_mutex_lock(&M.mu);
	M.started = 1;
	pthread_cond_signal(&M.started_cv);
	pthread_mutex_unlock(&M.mu);
	for (int i = 0; i < MAX_CLIENTS; i++)
		C[i].fd = -1;
	for (;;) {
		unsigned long long now = now_ns(), next = 0;
		int n = 0;
		p[n++] = (struct pollfd){ .fd = M.stop_pipe[0], .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = M.lfd, .events = POLLIN };
		for (int i = 0; i < MAX_CLIENTS; i++) {
			if (C[i].fd < 0)
				continue;
			if (C[i].deadline <= now) { /* too slow: it goes */
				drop(&C[i]);
				continue;
			}
			if (!next || C[i].deadline < next)
				next = C[i].deadline;
			who[n] = i;
			p[n++] = (struct pollfd){ .fd = C[i].fd, .events = C[i].out ? POLLOUT : POLLIN };
		}
		int ms = next ? (int)((next - now) / 1000000ull) + 1 : -1;
		if (poll(p, (nfds_t)n, ms) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		for (int k = 2; k < n; k++) {
			struct client *c = &C[who[k]];
			if (!p[k].revents || c->fd != p[k].fd)
				continue;
			int rc = 0;
			if (!c->out)
				rc = on_readable(c);
			if (!rc && c->out) /* answer at once: it mostly fits the socket */
				rc = on_writable(c);
			if (rc)
				drop(c);
		}
		if (p[1].revents & POLLIN)
			accept_clients();
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (C[i].fd >= 0)
			drop(&C[i]);
	return NULL;
}

int tpl_metrics_start(const char *addr)
{
	char host[256], port[16], err[160];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res = NULL, *ai;
	int rc, e = 0;

	if (split_addr(addr, host, sizeof(host), port, sizeof(port), err, sizeof(err))) {
		tpl_err("--metrics-server %s: %s", addr, err);
		return -1;
	}
	if (!host[0]) /* every address: IPv6 first, which takes IPv4 too */
		hints.ai_family = AF_INET6;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc && !host[0]) {
		hints.ai_family = AF_UNSPEC;
		rc = getaddrinfo(NULL, port, &hints, &res);
	}
	if (rc) {
		tpl_err("--metrics-server %s: %s", addr, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol), one = 1, zero = 0;
		if (fd < 0) {
			e = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		/* a DaemonSet's surge starts the new pod on a node (host network)
		 * before the old one stops: both must listen on the port, or the
		 * new one never becomes ready and the rollout never ends. Only a
		 * process of the same user can join the port. */
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		if (ai->ai_family == AF_INET6 && !host[0])
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0 &&
		    fcntl(fd, F_SETFL, O_NONBLOCK) == 0) {
			M.lfd = fd;
			break;
		}
		e = errno;
		close(fd);
	}
	freeaddrinfo(res);
	if (M.lfd < 0) {
		tpl_err("--metrics-server %s: cannot listen: %s", addr, strerror(e));
		return -1;
	}
	/* the address really bound (port 0 lets the kernel choose) */
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char h[NI_MAXHOST], s[NI_MAXSERV];
	if (getsockname(M.lfd, (struct sockaddr *)&ss, &sl) == 0 &&
	    getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), s, sizeof(s), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		snprintf(M.bound, sizeof(M.bound), strchr(h, ':') ? "[%s]:%s" : "%s:%s", h, s);
	else
		snprintf(M.bound, sizeof(M.bound), "%s", addr);
	if (pipe2(M.stop_pipe, O_CLOEXEC)) {
		tpl_err("--metrics-server: pipe: %s", strerror(errno));
		close(M.lfd);
		M.lfd = -1;
		return -1;
	}
	M.heartbeat = now_ns();
	snprintf(M.why, sizeof(M.why), "starting: the objects are not attached yet");
	/* the thread takes no signal: SIGINT and SIGHUP are the main loop's */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&M.th, NULL, server, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		tpl_err("--metrics-server: cannot start its thread: %s", strerror(rc));
		close(M.lfd);
		M.lfd = -1;
		return -1;
	}
	/* tp-load forks a loading child next: the new thread must be past
	 * its start-up (which ASan's runtime does under its own locks, with
	 * no fork handler) before that, or the child can inherit them held */
	pthread_mutex_lock(&M.mu);
	while (!M.started)
		pthread_cond_wait(&M.started_cv, &M.mu);
	pthread_mutex_unlock(&M.mu);
	M.on = 1;
	tpl_info("metrics on http://%s/metrics, health on /healthz", M.bound);
	return 0;
}

void tpl_metrics_stop(void)
{
	if (!M.on)
		return;
	if (write(M.stop_pipe[1], "x", 1) < 0) { /* the thread would not end: leave it to exit */
		M.on = 0;
		return;
	}
	pthread_join(M.th, NULL);
	close(M.lfd);
	close(M.stop_pipe[0]);
	close(M.stop_pipe[1]);
	M.lfd = M.stop_pipe[0] = M.stop_pipe[1] = -1;
	pthread_mutex_lock(&M.mu);
	for (unsigned i = 0; i < M.ns; i++) {
		free(M.s[i].type);
		free(M.s[i].policy);
	}
	free(M.s);
	M.s = NULL;
	M.ns = M.cap = 0;
	while (M.no)
		remove_object(M.o[0].key);
	free(M.o);
	M.o = NULL;
	for (int k = 0; k < M.nrm; k++)
		free(M.rm[k].policy);
	free(M.rm);
	M.rm = NULL;
	M.nrm = 0;
	M.on = 0;
	pthread_mutex_unlock(&M.mu);
}

/* ---- counters (main thread) ---- */

static char *type_name(const char *key)
{
	char *t = strdup(key ? key : "undef");
	for (char *p = t; p && *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return t;
}

/* type (PROCESS_KPROBE) is the upper-case form of key (process_kprobe) */
static int type_is(const char *type, const char *key)
{
	if (!key)
		key = "undef";
	for (; *type && *key; type++, key++)
		if (*type != (*key >= 'a' && *key <= 'z' ? *key - 'a' + 'A' : *key))
			return 0;
	return *type == *key;
}

static int series_is(const struct series *s, const char *key, const char *policy)
{
	return type_is(s->type, key) && strcmp(s->policy, policy) == 0;
}

unsigned tpl_metrics_series(const char *json_key, const char *policy)
{
	if (!M.on)
		return 0;
	if (!policy)
		policy = "";
	/* most events come from the series of the one before */
	if (M.last && series_is(&M.s[M.last - 1], json_key, policy))
		return M.last;
	for (unsigned i = 0; i < M.ns; i++)
		if (series_is(&M.s[i], json_key, policy))
			return M.last = i + 1;
	char *t = type_name(json_key), *p = strdup(policy);
	pthread_mutex_lock(&M.mu);
	if (t && p && M.ns == M.cap) {
		unsigned cap = M.cap ? M.cap * 2 : 16;
		struct series *ns = realloc(M.s, sizeof(*ns) * cap);
		if (ns) {
			M.s = ns;
			M.cap = cap;
		}
	}
	if (!t || !p || M.ns == M.cap) { /* out of memory: counted nowhere */
		pthread_mutex_unlock(&M.mu);
		free(t);
		free(p);
		return 0;
	}
	M.s[M.ns] = (struct series){ .type = t, .policy = p };
	M.last = ++M.ns;
	pthread_mutex_unlock(&M.mu);
	return M.last;
}

void tpl_metrics_written(void *ctx, const unsigned *tags, size_t n)
{
	(void)ctx;
	if (!M.on)
		return;
	pthread_mutex_lock(&M.mu);
	for (size_t i = 0; i < n; i++)
		if (tags[i] && tags[i] <= M.ns)
			M.s[tags[i] - 1].written++;
	pthread_mutex_unlock(&M.mu);
}

void tpl_metrics_filtered(unsigned tag)
{
	if (!M.on || !tag)
		return;
	pthread_mutex_lock(&M.mu);
	if (tag <= M.ns)
		M.s[tag - 1].filtered++;
	pthread_mutex_unlock(&M.mu);
}

void tpl_metrics_malformed(void)
{
	if (!M.on)
		return;
	pthread_mutex_lock(&M.mu);
	M.malformed++;
	pthread_mutex_unlock(&M.mu);
}

void tpl_metrics_set_unwritten(unsigned long long n)
{
	if (!M.on)
		return;
	pthread_mutex_lock(&M.mu);
	M.unwritten = n;
	pthread_mutex_unlock(&M.mu);
}

static void free_mobj(struct mobj *m)
{
	long page = sysconf(_SC_PAGESIZE);
	if (m->lost_fd >= 0)
		close(m->lost_fd);
	if (m->missed_fd >= 0)
		close(m->missed_fd);
	free(m->enforcer_policy);
	if (m->cons)
		munmap((void *)m->cons, (size_t)page);
	if (m->prod)
		munmap((void *)m->prod, (size_t)page);
	for (int k = 0; k < m->npolicies; k++)
		free(m->policies[k]);
	free(m->policies);
	free(m->name);
}

void tpl_metrics_add_object(const struct tpl_obj *o, int nhooks)
{
	struct mobj m = { .key = o, .lost_fd = -1, .missed_fd = -1, .nhooks = nhooks };
	long page = sysconf(_SC_PAGESIZE);

	if (!M.on)
		return;
	const char *base = strrchr(o->path, '/');
	m.name = strdup(base ? base + 1 : o->path);
	m.lost_fd = o->lost_fd >= 0 ? fcntl(o->lost_fd, F_DUPFD_CLOEXEC, 0) : -1;
	if (o->missed_fd >= 0) {
		/* the policy of its (first) enforcer: the verdict map is the
		 * object's, shared by its policies when it holds several */
		const char *p = o->m.policy;
		for (int i = 0; i < o->m.nhooks; i++)
			if (o->m.hooks[i].enforcer) {
				if (o->m.hooks[i].policy)
					p = o->m.hooks[i].policy;
				break;
			}
		m.enforcer_policy = strdup(p ? p : m.name ? m.name : "");
		m.missed_fd = m.enforcer_policy ? fcntl(o->missed_fd, F_DUPFD_CLOEXEC, 0) : -1;
	}
	if (o->events_fd >= 0) {
		struct bpf_map_info info = { 0 };
		__u32 il = sizeof(info);
		if (bpf_obj_get_info_by_fd(o->events_fd, &info, &il) == 0)
			m.size = info.max_entries;
		/* a ring buffer's first page holds the consumer's position, the
		 * second the producer's; both can be mapped read-only */
		void *c = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, o->events_fd, 0);
		void *p = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, o->events_fd, page);
		m.cons = c == MAP_FAILED ? NULL : c;
		m.prod = p == MAP_FAILED ? NULL : p;
	}
	m.policies = calloc((size_t)o->m.nhooks + 1, sizeof(char *));
	if (m.policies && o->m.policy)
		m.policies[m.npolicies++] = strdup(o->m.policy);
	for (int i = 0; m.policies && i < o->m.nhooks; i++) {
		const char *p = o->m.hooks[i].policy;
		if (p && !has_policy(m.policies, m.npolicies, p))
			m.policies[m.npolicies++] = strdup(p);
	}
	for (int k = 0; k < m.npolicies; k++)
		if (!m.policies[k]) /* out of memory: stop at the first hole */
			m.npolicies = k;
	pthread_mutex_lock(&M.mu);
	if (M.no == M.ocap) {
		int cap = M.ocap ? M.ocap * 2 : 8;
		struct mobj *no = realloc(M.o, sizeof(*no) * (size_t)cap);
		if (!no) {
			pthread_mutex_unlock(&M.mu);
			free_mobj(&m);
			return;
		}
		M.o = no;
		M.ocap = cap;
	}
	M.o[M.no++] = m;
	pthread_mutex_unlock(&M.mu);
}

/* With the lock held: o's missed verdicts go on counting in its policy's
 * series once it is closed. */
static void retire_missed(struct mobj *o)
{
	if (o->missed_fd < 0 || !o->enforcer_policy)
		return;
	unsigned long long n = percpu_sum(o->missed_fd);
	for (int k = 0; k < M.nrm; k++)
		if (!strcmp(M.rm[k].policy, o->enforcer_policy)) {
			M.rm[k].n += n;
			return;
		}
	struct retired_missed *v = realloc(M.rm, sizeof(*v) * (size_t)(M.nrm + 1));
	if (!v)
		return;
	M.rm = v;
	M.rm[M.nrm++] = (struct retired_missed){ .policy = o->enforcer_policy, .n = n };
	o->enforcer_policy = NULL; /* the table's now */
}

/* With the lock held. */
static void remove_object(const void *key)
{
	for (int i = 0; i < M.no; i++) {
		if (M.o[i].key != key)
			continue;
		M.retired_lost += obj_lost(&M.o[i]);
		retire_missed(&M.o[i]);
		free_mobj(&M.o[i]);
		M.o[i] = M.o[--M.no];
		return;
	}
}

void tpl_metrics_remove_object(const struct tpl_obj *o)
{
	if (!M.on)
		return;
	pthread_mutex_lock(&M.mu);
	remove_object(o);
	pthread_mutex_unlock(&M.mu);
}

void tpl_metrics_health(int ok, const char *why)
{
	if (!M.on)
		return;
	pthread_mutex_lock(&M.mu);
	M.ok = ok;
	snprintf(M.why, sizeof(M.why), "%s", why ? why : "");
	pthread_mutex_unlock(&M.mu);
}

void tpl_metrics_heartbeat(void)
{
	if (M.on)
		__atomic_store_n(&M.heartbeat, now_ns(), __ATOMIC_RELAXED);
}
