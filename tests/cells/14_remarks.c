float a[1024], b[1024];
//---
%%c --remarks
for (int i = 0; i < 1024; i++)
    a[i] = 2 * b[i] + 1;
//---
%%c --remarks -O3
for (int i = 1; i < 1024; i++)
    a[i] = a[i - 1] * 0.5f + b[i];
//---
%%c --remarks
float sum(const float *x, int n)
{
    float s = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    return s;
}
