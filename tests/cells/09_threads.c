#include <pthread.h>
#include <unistd.h>
int shared = 0;
void *work(void *arg) { shared += (int)(long)arg; printf("thread %ld\n", (long)arg); return NULL; }
//---
pthread_t t1, t2;
pthread_create(&t1, NULL, work, (void *)1);
pthread_join(t1, NULL);
pthread_create(&t2, NULL, work, (void *)2);
pthread_join(t2, NULL);
shared
//---
void *forever(void *arg) { for (;;) sleep(1); return NULL; }
pthread_t t3;
pthread_create(&t3, NULL, forever, NULL);
shared = 10;
//---
shared
