#include "deflate_writer.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

// Appends up to 32 bits, flushing whole 32-bit words; flush_bytes restores the byte-level invariant.
static inline void put_fast(bit_writer *w, uint32_t value, int count) {
    w->bits |= (uint64_t)value << w->count;
    w->count += count;
    if (w->count >= 32) {
        uint32_t low = (uint32_t)w->bits;
        memcpy(w->out + w->at, &low, 4);
        w->at += 4;
        w->bits >>= 32;
        w->count -= 32;
    }
}

static void flush_bytes(bit_writer *w) {
    while (w->count >= 8) {
        w->out[w->at++] = (uint8_t)w->bits;
        w->bits >>= 8;
        w->count -= 8;
    }
}

// Appends `count` bits and keeps the writer byte-level (fewer than 8 bits pending).
static void put(bit_writer *w, uint32_t value, int count) {
    put_fast(w, value, count);
    flush_bytes(w);
}

// A Huffman code of `length` bits, most significant bit first as deflate stores codes.
static void put_code(bit_writer *w, uint32_t code, int length) {
    uint32_t reversed = 0;
    for (int i = 0; i < length; i++) reversed |= ((code >> i) & 1u) << (length - 1 - i);
    put(w, reversed, length);
}

// A literal byte in the fixed code.
static void put_literal(bit_writer *w, uint8_t v) {
    if (v < 144) put_code(w, 0x30 + v, 8);
    else put_code(w, 0x190 + (v - 144), 9);
}

// Deflate's length symbol (257 ... 285) for a match of `length` (3 ... 258) bytes, with its extra bits.
static int length_symbol(int length, int *extra_bits, uint32_t *extra) {
    static const uint16_t base[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
                                      131, 163, 195, 227, 258};
    static const uint8_t bits[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    int i = 28;
    while (base[i] > length) i--;
    *extra_bits = bits[i], *extra = (uint32_t)(length - base[i]);
    return 257 + i;
}

// The next match length (3 ... 258) of a run's `*left` repeated bytes (0 or at least 3), taken from it so that
// what remains is never 1 or 2 bytes; 0 when none are left.
static int next_repeat(long *left) {
    int length = *left >= 258 + 3 || *left == 258 ? 258 : *left > 258 ? 258 - 3 : (int)*left;
    *left -= length;
    return length;
}

// A match of `length` (3 ... 258) bytes at distance 1, in the fixed code.
static void put_repeat(bit_writer *w, int length) {
    int extra_bits;
    uint32_t extra;
    int symbol = length_symbol(length, &extra_bits, &extra);
    if (symbol < 280) put_code(w, (uint32_t)(symbol - 256), 7);
    else put_code(w, 0xC0 + (uint32_t)(symbol - 280), 8);
    if (extra_bits) put(w, extra, extra_bits);
    put(w, 0, 5);  // distance code 0: distance 1
}

// Ends the current bit position with a non-final stored block of `data`, which leaves the stream byte aligned.
static void put_stored(bit_writer *w, const uint8_t *data, long length) {
    do {
        long part = length < STORED_BLOCK ? length : STORED_BLOCK;
        put(w, 0, 3);  // not final, stored
        if (w->count) put(w, 0, 8 - w->count);
        w->out[w->at++] = (uint8_t)part, w->out[w->at++] = (uint8_t)(part >> 8);
        w->out[w->at++] = (uint8_t)~part, w->out[w->at++] = (uint8_t)(~part >> 8);
        memcpy(w->out + w->at, data, (size_t)part);
        w->at += part, data += part, length -= part;
    } while (length > 0);
}

// Runs of one byte at least this long are coded as repeats; shorter stretches are stored. Between two runs at
// most GAP bytes apart the bytes are coded as literals in the same block, which costs less than ending it.
enum { RUN = 16, GAP = 128 };

// The start of the first run of one byte at least RUN long in data[from ..< bytes] (`bytes` when there is none),
// its length in `length`. `from` must start a run (the data's start, or the end of one). Every such run holds
// an 8-byte word of one value at an offset that is a multiple of 8, so the scan compares words and reads single
// bytes only around a uniform one.
static long next_run(const uint8_t *data, long from, long bytes, long *length) {
    for (long i = (from + 7) & ~7L; i + 8 <= bytes; i += 8) {
        uint64_t word;
        memcpy(&word, data + i, 8);
        if (word != (word & 0xff) * 0x0101010101010101ULL) continue;
        uint8_t b = (uint8_t)word;
        long start = i, end = i + 8;
        while (start > from && data[start - 1] == b) start--;
        while (end < bytes && data[end] == b) end++;
        if (end - start >= RUN) {
            *length = end - start;
            return start;
        }
        i = ((end + 7) & ~7L) - 8;
    }
    *length = 0;
    return bytes;
}

// Noise bytes (the low mantissa bytes of model output) stored, runs (land's fill value) coded as repeats: the
// speed of a copy where deflate would find nothing to shrink.
void fd_put_noise(bit_writer *w, const uint8_t *data, long bytes) {
    long literal = 0;
    int coding = 0;  // inside a fixed-code block
    for (;;) {
        long run, i = next_run(data, literal, bytes, &run);
        if (i == bytes) break;
        if (coding && i - literal <= GAP) {
            for (long k = literal; k < i; k++) put_literal(w, data[k]);
        } else {
            if (coding) put_code(w, 0, 7);  // end of block
            if (i > literal) put_stored(w, data + literal, i - literal);
            put(w, 0, 1), put(w, 1, 2);  // not final, fixed Huffman codes
            coding = 1;
        }
        put_literal(w, data[i]);
        for (long left = run - 1; left;) put_repeat(w, next_repeat(&left));
        literal = i + run;
    }
    if (coding) put_code(w, 0, 7);
    put_stored(w, data + literal, bytes - literal);
}

// A plane is noise when, in a sample from its middle (a quarter of it, 256 KiB at most), runs left out,
// the bytes' order-0 entropy is at least 95% of 8 bits.
int fd_is_noise(const uint8_t *plane, long bytes) {
    long size = bytes / 4 < 262144 ? bytes / 4 : 262144;
    long from = bytes / 2 - size / 2, to = from + size, length = 0;
    while (from < to && plane[from] == plane[from - 1]) from++;  // start at a run's start, as next_run needs
    uint32_t count[256] = {0};
    for (long i = from; i < to;) {
        long run, start = next_run(plane, i, to, &run);
        for (long k = i; k < start; k++) count[plane[k]]++;
        length += start - i;
        i = start + run;
    }
    if (length < 1024) return 0;
    double bits = 0;
    for (int v = 0; v < 256; v++) {
        if (count[v]) bits -= count[v] * log2((double)count[v] / (double)length);
    }
    return bits >= 0.95 * 8 * (double)length;
}

// ---- Dynamic-Huffman planes
// A plane ahead of a noise plane cannot go to libdeflate, whose blocks must end the stream. Such a plane (a low
// mantissa byte with some bits fixed, say) has little for deflate's matches to find beyond its runs, so
// literals and the same distance-1 repeats under a code fitted to each block come within a few percent of
// deflate's size at a fraction of its time.

enum { MAX_BITS = 15, LENGTH_CODE_BITS = 7, LITLEN_SYMBOLS = 286, HUFFMAN_BLOCK = 1 << 17, END_OF_BLOCK = 256 };

// Runs of a block: where each starts and how long it is.
typedef struct {
    long start, length;
} run_span;

long fd_huffman_scratch(void) { return (long)sizeof(run_span) * (HUFFMAN_BLOCK / RUN + 1); }

// Huffman code lengths for `n` symbols of frequencies `freq`, none over `limit` bits (symbols of frequency 0
// get none): while the longest code is too long the frequencies are halved (kept above 0) and the code rebuilt.
// The callers' codes always have at least two symbols (a block's end and a byte; code lengths of two values at least), so
// the code is complete, as zlib requires.
static void code_lengths(const uint32_t *freq, int n, int limit, uint8_t *lengths) {
    int symbols[LITLEN_SYMBOLS], count = 0, parent[2 * LITLEN_SYMBOLS];
    uint32_t weight[2 * LITLEN_SYMBOLS];
    uint8_t depth[2 * LITLEN_SYMBOLS];
    for (int i = 0; i < n; i++) {
        lengths[i] = 0;
        if (freq[i]) symbols[count++] = i;
    }
    if (count < 2) {  // not reached by the callers (see above); a lone symbol would get a one-bit code
        if (count) lengths[symbols[0]] = 1;
        return;
    }
    for (int shift = 0;; shift++) {
        for (int i = 0; i < count; i++) weight[i] = (freq[symbols[i]] >> shift) | 1;
        for (int i = 1; i < count; i++) {  // leaves by weight (insertion sort of at most 286)
            uint32_t v = weight[i];
            int s = symbols[i], j = i - 1;
            for (; j >= 0 && weight[j] > v; j--) weight[j + 1] = weight[j], symbols[j + 1] = symbols[j];
            weight[j + 1] = v, symbols[j + 1] = s;
        }
        int leaf = 0, inner = count;  // two-queue merge: leaves in order, inner nodes as made
        for (int next = count; next < 2 * count - 1; next++) {
            int pick[2];
            for (int k = 0; k < 2; k++) pick[k] = leaf < count && (inner >= next || weight[leaf] <= weight[inner]) ? leaf++ : inner++;
            weight[next] = weight[pick[0]] + weight[pick[1]];
            parent[pick[0]] = parent[pick[1]] = next;
        }
        int root = 2 * count - 2, longest = 0;
        depth[root] = 0;
        for (int node = root - 1; node >= 0; node--) depth[node] = (uint8_t)(depth[parent[node]] + 1);
        for (int i = 0; i < count; i++) longest = depth[i] > longest ? depth[i] : longest;
        if (longest <= limit) {
            for (int i = 0; i < count; i++) lengths[symbols[i]] = depth[i];
            return;
        }
    }
}

// Canonical codes for `lengths` (RFC 1951 3.2.2), bit-reversed for writing least significant bit first.
static void canonical_codes(const uint8_t *lengths, int n, uint16_t *codes) {
    uint16_t count[MAX_BITS + 1] = {0}, next[MAX_BITS + 1];
    for (int i = 0; i < n; i++) count[lengths[i]]++;
    count[0] = 0;
    uint16_t code = 0;
    for (int bits = 1; bits <= MAX_BITS; bits++) next[bits] = code = (uint16_t)((code + count[bits - 1]) << 1);
    for (int i = 0; i < n; i++) {
        int length = lengths[i];
        uint32_t c = length ? next[length]++ : 0, reversed = 0;
        for (int b = 0; b < length; b++) reversed |= ((c >> b) & 1u) << (length - 1 - b);
        codes[i] = (uint16_t)reversed;
    }
}

// A block's dynamic-code header: its literal/length code lengths and the one distance code (distance 1, one
// bit), themselves coded with the code-length code.
typedef struct {
    int symbols, order_count;
    uint8_t lengths[LITLEN_SYMBOLS + 1], cl_symbols[LITLEN_SYMBOLS + 1], cl_extra[LITLEN_SYMBOLS + 1], cl_lengths[19];
    uint16_t codes[LITLEN_SYMBOLS], cl_codes[19];
} block_header;

static const uint8_t CL_ORDER[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

// Builds the header for `freq`; returns its size in bits.
static long make_header(const uint32_t *freq, block_header *h) {
    code_lengths(freq, LITLEN_SYMBOLS, MAX_BITS, h->lengths);
    canonical_codes(h->lengths, LITLEN_SYMBOLS, h->codes);
    int hlit = LITLEN_SYMBOLS;
    while (h->lengths[hlit - 1] == 0) hlit--;
    h->symbols = hlit;
    h->lengths[hlit] = 1;  // the distance code
    uint32_t cl_freq[19] = {0};
    int n = 0;
    for (int i = 0; i <= hlit;) {  // zeros run-length coded: 17 for 3-10, 18 for 11-138
        int zeros = 0;
        while (i + zeros <= hlit && h->lengths[i + zeros] == 0 && zeros < 138) zeros++;
        if (zeros >= 3) {
            h->cl_symbols[n] = zeros >= 11 ? 18 : 17;
            h->cl_extra[n] = (uint8_t)(zeros >= 11 ? zeros - 11 : zeros - 3);
            i += zeros;
        } else {
            h->cl_symbols[n] = h->lengths[i++], h->cl_extra[n] = 0;
        }
        cl_freq[h->cl_symbols[n++]]++;
    }
    h->order_count = n;
    code_lengths(cl_freq, 19, LENGTH_CODE_BITS, h->cl_lengths);
    canonical_codes(h->cl_lengths, 19, h->cl_codes);
    long bits = 3 + 5 + 5 + 4 + 19 * 3;
    for (int i = 0; i < n; i++) {
        int s = h->cl_symbols[i];
        bits += h->cl_lengths[s] + (s == 17 ? 3 : s == 18 ? 7 : 0);
    }
    return bits;
}

static void put_header(bit_writer *w, const block_header *h) {
    int hclen = 19;
    while (hclen > 4 && h->cl_lengths[CL_ORDER[hclen - 1]] == 0) hclen--;
    put_fast(w, 0, 1), put_fast(w, 2, 2);  // not final, dynamic codes
    put_fast(w, (uint32_t)(h->symbols - 257), 5), put_fast(w, 0, 5), put_fast(w, (uint32_t)(hclen - 4), 4);
    for (int i = 0; i < hclen; i++) put_fast(w, h->cl_lengths[CL_ORDER[i]], 3);
    for (int i = 0; i < h->order_count; i++) {
        int s = h->cl_symbols[i];
        put_fast(w, h->cl_codes[s], h->cl_lengths[s]);
        if (s == 17) put_fast(w, h->cl_extra[i], 3);
        else if (s == 18) put_fast(w, h->cl_extra[i], 7);
    }
}

// The repeats of a run's bytes after its first, each with its extra bits and the distance code's one bit.
static void put_run_repeats(bit_writer *w, const block_header *h, long run) {
    for (long left = run - 1; left;) {
        int extra_bits;
        uint32_t extra;
        int s = length_symbol(next_repeat(&left), &extra_bits, &extra);
        put_fast(w, h->codes[s], h->lengths[s]);
        put_fast(w, extra, extra_bits);
        put_fast(w, 0, 1);
    }
}

// One block of at most HUFFMAN_BLOCK bytes: literals and runs counted, the code fitted, then written; stored
// (with its runs coded) when that would be no larger.
static void put_huffman_block(bit_writer *w, const uint8_t *data, long bytes, run_span *runs) {
    uint32_t freq[LITLEN_SYMBOLS] = {0}, part[3][256] = {{0}};
    long extra_bits = 0;
    int count = 0;
    for (long i = 0;;) {
        long run, start = next_run(data, i, bytes, &run), k = i;
        for (; k + 4 <= start; k += 4) freq[data[k]]++, part[0][data[k + 1]]++, part[1][data[k + 2]]++, part[2][data[k + 3]]++;
        for (; k < start; k++) freq[data[k]]++;
        if (start == bytes) break;
        runs[count++] = (run_span){start, run};
        freq[data[start]]++;
        for (long left = run - 1; left;) {
            int bits;
            uint32_t extra;
            freq[length_symbol(next_repeat(&left), &bits, &extra)]++;
            extra_bits += bits + 1;
        }
        i = start + run;
    }
    for (int v = 0; v < 256; v++) freq[v] += part[0][v] + part[1][v] + part[2][v];
    freq[END_OF_BLOCK] = 1;
    block_header h;
    long bits = make_header(freq, &h) + extra_bits;
    for (int s = 0; s < LITLEN_SYMBOLS; s++) bits += (long)freq[s] * h.lengths[s];
    if (bits >= 8 * bytes) {
        fd_put_noise(w, data, bytes);
        return;
    }
    put_header(w, &h);
    long at = 0;
    for (int r = 0; r <= count; r++) {
        long end = r < count ? runs[r].start : bytes;
        for (; at < end; at++) put_fast(w, h.codes[data[at]], h.lengths[data[at]]);
        if (r == count) break;
        put_fast(w, h.codes[data[at]], h.lengths[data[at]]);
        put_run_repeats(w, &h, runs[r].length);
        at = runs[r].start + runs[r].length;
    }
    put_fast(w, h.codes[END_OF_BLOCK], h.lengths[END_OF_BLOCK]);
    flush_bytes(w);
}

void fd_put_huffman(bit_writer *w, const uint8_t *data, long bytes, void *scratch) {
    for (long at = 0; at < bytes; at += HUFFMAN_BLOCK) {
        put_huffman_block(w, data + at, bytes - at < HUFFMAN_BLOCK ? bytes - at : HUFFMAN_BLOCK, scratch);
    }
}
