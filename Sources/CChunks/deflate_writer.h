#ifndef FORECASTD_DEFLATE_WRITER_H
#define FORECASTD_DEFLATE_WRITER_H
#include <stdint.h>

// Deflate blocks (RFC 1951) that forecastd writes itself, for the byte planes of shuffled floats where a general
// compressor spends its time for little: stored noise with run-coded stretches, and Huffman-coded planes that
// lie ahead of noise. libdeflate writes the rest of a stream (chunks.c's deflate_planes).

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
// A byte plane as dynamic-Huffman blocks of literals and repeats (stored where that would not be smaller), for
// a plane that is not noise but must be written ahead of one; `scratch` holds fd_huffman_scratch() bytes.
void fd_put_huffman(bit_writer *w, const uint8_t *data, long bytes, void *scratch);
long fd_huffman_scratch(void);

#endif
