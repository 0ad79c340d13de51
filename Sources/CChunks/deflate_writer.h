#ifndef FORECASTD_DEFLATE_WRITER_H
#define FORECASTD_DEFLATE_WRITER_H
#include <stdint.h>

// Deflate blocks (RFC 1951) that forecastd writes itself, for the byte planes of shuffled values where a general
// compressor spends its time for little: stored noise with run-coded stretches, and planes whose repeats are runs,
// the row above or a short period, Huffman coded (chunks.c's deflate_planes at the fast levels; libdeflate at the
// others).

// Bytes of one deflate stored block's payload at most.
enum { STORED_BLOCK = 65535 };

// Deflate's bits, written least significant first; `count` < 8 between calls.
typedef struct {
    uint8_t *out;
    long at;
    uint64_t bits;
    int count;
} bit_writer;

// Whether a byte plane is noise: deflate could not shrink it by 5%.
int fd_is_noise(const uint8_t *plane, long bytes);
// Noise bytes stored, runs of one byte coded as repeats; leaves the stream byte aligned.
void fd_put_noise(bit_writer *w, const uint8_t *data, long bytes);
// A byte plane as dynamic-Huffman blocks of literals and matches at three distances: the byte before (runs), and
// the two that a sample of the plane repeats most among periods of 2-16 bytes and the row above (`row` bytes and
// its neighbours; 0 or over deflate's 32 KiB window: periods alone); stored where that would not be smaller.
// `scratch` holds fd_matched_scratch() bytes.
void fd_put_matched(bit_writer *w, const uint8_t *plane, long bytes, long row, void *scratch);
long fd_matched_scratch(void);

// An empty final block: the end of the stream, byte aligned.
void fd_put_end(bit_writer *w);

#endif
