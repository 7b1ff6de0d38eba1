/* identity.h: where a process runs, as Tetragon names it: the node, and
 * the container and Kubernetes pod a node can know of by itself.
 *
 * - The node: $NODE_NAME (the DaemonSet sets it from the downward API),
 *   else the host name.
 * - The container: container runtimes name a container's cgroup after
 *   the container's id (docker-ID.scope, cri-containerd-ID.scope,
 *   crio-ID.scope, or a directory named ID): the first 64-hex-digit name
 *   is the id. Process.docker is its first 31 characters, as Tetragon's.
 * - The pod: the kubelet links every container's log as
 *   /var/log/containers/POD_NAMESPACE_CONTAINER-ID.log, to
 *   /var/log/pods/NAMESPACE_POD_UID/CONTAINER/N.log: a local source of
 *   the pod's namespace, name and uid and of the container's name, read
 *   when a container is first seen ($TPC_CONTAINER_LOGS names another
 *   directory). No API server is asked. */
#ifndef TPL_IDENTITY_H
#define TPL_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

struct tpl_proc;

/* The node name into buf. */
void tpl_node_name(char *buf, size_t len);

/* Standard base64 (with padding) of data[0..n) into out (NUL-terminated,
 * cut to fit). */
void tpl_base64(const char *data, size_t n, char *out, size_t len);

/* Sets p's docker, container_id and pod from its cgroup's name (or path)
 * cg[0..n); with no id in it, from /proc/PID/cgroup. */
void tpl_container_of(const char *cg, size_t n, uint32_t pid, struct tpl_proc *p);

/* Frees the pods read. */
void tpl_identity_free(void);

#endif
