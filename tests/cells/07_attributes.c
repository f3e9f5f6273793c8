struct padded { long v; } __attribute__((aligned(64)));
sizeof(struct padded)
//---
struct __attribute__((packed)) wire { char tag; int len; };
sizeof(struct wire)
//---
struct padded counters[4];
(long)((char *)&counters[1] - (char *)&counters[0])
