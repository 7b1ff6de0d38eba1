/* identity.c: see identity.h. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "identity.h"
#include "pcache.h"

#define ID_LEN 64
#define DOCKER_LEN 31 /* Process.docker: the id's first 31 characters */

void tpl_node_name(char *buf, size_t len)
{
	const char *env = getenv("NODE_NAME");
	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	if (gethostname(buf, len) != 0)
		buf[0] = '\0';
	buf[len - 1] = '\0';
}

void tpl_base64(const char *data, size_t n, char *out, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)data;
	size_t o = 0;
	if (!len)
		return;
	for (size_t i = 0; i < n && o + 4 < len; i += 3) {
		unsigned v = s[i] << 16;
		if (i + 1 < n)
			v |= s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

/* The first run of exactly 64 hex digits in s[0..n), or NULL. */
static const char *find_id(const char *s, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && isxdigit((unsigned char)s[i])) {
			run++;
			continue;
		}
		if (run == ID_LEN)
			return s + i - ID_LEN;
		run = 0;
	}
	return NULL;
}

/* The runtime's scheme for Container.id, from the cgroup's name. */
static const char *scheme(const char *cg, size_t n, const char *id)
{
	static const struct {
		const char *prefix, *scheme;
	} rt[] = {
		{ "cri-containerd-", "containerd://" },
		{ "crio-", "cri-o://" },
		{ "docker-", "docker://" },
		{ "libpod-", "podman://" },
	};
	/* the prefix of the component the id is in */
	const char *start = id;
	while (start > cg && start[-1] != '/')
		start--;
	for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
		size_t k = strlen(rt[i].prefix);
		if ((size_t)(id - start) == k && !memcmp(start, rt[i].prefix, k))
			return rt[i].scheme;
	}
	(void)n;
	return "";
}

/* ---- pods, from the kubelet's container log links ---- */

struct pod_entry {
	char id[ID_LEN + 1];
	struct tpl_pod pod; /* all NULL: not found (yet) */
	struct pod_entry *next;
};

static struct pod_entry *pods;
static time_t last_scan;

static char *dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* POD_NAMESPACE_CONTAINER-ID.log (names have no "_"; a container name may
 * have "-"): fills e when the id is e's. */
static int parse_link(const char *dir, const char *name, struct pod_entry *e)
{
	size_t n = strlen(name);
	if (n < ID_LEN + 6 || strcmp(name + n - 4, ".log") || name[n - 4 - ID_LEN - 1] != '-' ||
	    memcmp(name + n - 4 - ID_LEN, e->id, ID_LEN))
		return 0;
	const char *u1 = strchr(name, '_');
	const char *u2 = u1 ? strchr(u1 + 1, '_') : NULL;
	const char *dash = name + n - 4 - ID_LEN - 1;
	if (!u1 || !u2 || u2 > dash)
		return 0;
	e->pod.name = dup_range(name, (size_t)(u1 - name));
	e->pod.ns = dup_range(u1 + 1, (size_t)(u2 - u1 - 1));
	e->pod.container = dup_range(u2 + 1, (size_t)(dash - u2 - 1));
	/* the link's target: /var/log/pods/NAMESPACE_POD_UID/CONTAINER/N.log */
	char path[4096], target[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ssize_t t = readlink(path, target, sizeof(target) - 1);
	if (t > 0) {
		target[t] = '\0';
		char *slash = strrchr(target, '/');
		if (slash) {
			*slash = '\0';
			slash = strrchr(target, '/');
			if (slash) {
				*slash = '\0';
				char *pd = strrchr(target, '/');
				char *us = pd ? strrchr(pd, '_') : NULL;
				if (us)
					e->pod.uid = dup_range(us + 1, strlen(us + 1));
			}
		}
	}
	return 1;
}

static void scan_logs(struct pod_entry *e)
{
	const char *dir = getenv("TPC_CONTAINER_LOGS");
	if (!dir || !*dir)
		dir = "/var/log/containers";
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)))
		if (parse_link(dir, de->d_name, e))
			break;
	closedir(d);
}

static const struct tpl_pod *pod_of(const char *id)
{
	struct pod_entry *e;
	for (e = pods; e; e = e->next)
		if (!strcmp(e->id, id))
			break;
	if (e && e->pod.name)
		return &e->pod;
	/* a container not (yet) known: the directory is read again at most
	 * once a second (the kubelet links a container as it starts) */
	time_t now = time(NULL);
	if (e && now == last_scan)
		return NULL;
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return NULL;
		memcpy(e->id, id, ID_LEN);
		e->next = pods;
		pods = e;
	}
	last_scan = now;
	scan_logs(e);
	return e->pod.name ? &e->pod : NULL;
}

void tpl_identity_free(void)
{
	while (pods) {
		struct pod_entry *n = pods->next;
		free(pods->pod.ns);
		free(pods->pod.name);
		free(pods->pod.uid);
		free(pods->pod.container);
		free(pods);
		pods = n;
	}
}

static int set_from(const char *cg, size_t n, struct tpl_proc *p)
{
	const char *id = find_id(cg, n);
	if (!id)
		return 0;
	memcpy(p->docker, id, DOCKER_LEN);
	p->docker[DOCKER_LEN] = '\0';
	snprintf(p->container_id, sizeof(p->container_id), "%s%.*s", scheme(cg, n, id), ID_LEN, id);
	char full[ID_LEN + 1];
	memcpy(full, id, ID_LEN);
	full[ID_LEN] = '\0';
	p->pod = pod_of(full);
	return 1;
}

void tpl_container_of(const char *cg, size_t n, uint32_t pid, struct tpl_proc *p)
{
	if (set_from(cg, n, p))
		return;
	/* cgroup v1, or a container that made cgroups of its own below
	 * its own: any hierarchy's path */
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (set_from(line, strlen(line), p))
			break;
	fclose(f);
}
