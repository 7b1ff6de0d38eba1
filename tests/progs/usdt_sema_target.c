/* usdt_sema_target: usdt_target with a semaphore for tpctest:pair (see
 * usdt_target.c). */
#define _SDT_HAS_SEMAPHORES 1
#include "usdt_target.c"
