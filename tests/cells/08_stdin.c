int a, b;
scanf("%d %d", &a, &b);
printf("sum %d\n", a + b);
//---
char line[64];
if (fgets(line, sizeof line, stdin)) printf("got: %s", line);
//---
int c = getchar();
c
//---
char name[32];
printf("name? ");
scanf("%31s", name);
printf("hello %s\n", name);
//---
printf("first line\nage? ");
fflush(stdout);
int age = 0;
scanf("%d", &age);
printf("%d next year\n", age + 1);
//---
int d = getchar();
d == EOF
