/* leader_exit: the main thread ends with pthread_exit while a worker
 * thread goes on; the worker waits for GO to exist, then opens PATH.
 *   leader_exit GO PATH
 * Exits 0 when the open succeeded, 1 when it failed. Used to test that a
 * process's table entry lives as long as its thread group. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char **args;

static void *worker(void *unused)
{
	(void)unused;
	while (access(args[1], F_OK))
		usleep(20000);
	int fd = open(args[2], O_RDONLY);
	if (fd >= 0)
		close(fd);
	exit(fd >= 0 ? 0 : 1);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: leader_exit GO PATH\n");
		return 2;
	}
	args = argv;
	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL))
		return 2;
	pthread_exit(NULL);
}
