/* fuzz.h — shared helpers for the libFuzzer harnesses (tests/fuzz/run).
 *
 * Each harness feeds outside bytes to one parser exactly as the server does,
 * then checks the parser's promises (the invariants below are the point: a
 * parser that returns "ok" with a wrong answer is a bug too, not only a
 * crash). A failed invariant aborts with a message, which libFuzzer records
 * as a crash with the input in fuzz-artifacts/. */
#ifndef LS_FUZZ_H
#define LS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed at %s:%d: %s\n  ", __FILE__, __LINE__, #cond);       \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A buffer of n bytes that ends exactly at a PROT_NONE page, so a read or
 * write one byte past it faults even inside uninstrumented libraries
 * (civetweb, libical), where AddressSanitizer cannot see. */
struct guarded {
    unsigned char *base;
    size_t maplen;
    unsigned char *p; /* the n usable bytes */
};

static inline struct guarded guarded_new(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (n + page - 1) / page;
    if (data_pages == 0)
        data_pages = 1;
    struct guarded g;
    g.maplen = (data_pages + 1) * page;
    g.base = mmap(NULL, g.maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g.base == MAP_FAILED)
        abort();
    mprotect(g.base + data_pages * page, page, PROT_NONE);
    g.p = g.base + data_pages * page - n;
    return g;
}

static inline void guarded_free(struct guarded *g)
{
    munmap(g->base, g->maplen);
}

/* The input as a NUL-terminated string (cut at the first NUL, as C code
 * receiving it from civetweb or cJSON would see it), in a guarded buffer. */
static inline struct guarded guarded_str(const uint8_t *data, size_t size)
{
    size_t n = strnlen((const char *)data, size);
    struct guarded g = guarded_new(n + 1);
    memcpy(g.p, data, n);
    g.p[n] = '\0';
    return g;
}

#endif
