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

void fd_put_end(bit_writer *w) {
    put(w, 1, 1), put(w, 1, 2);  // final, fixed Huffman codes
    put_code(w, 0, 7);           // end of block
    if (w->count) put(w, 0, 8 - w->count);
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
// A byte plane that is not noise (a smooth field's exponent byte, the high mantissa byte of a slowly varying one,
// a low byte with some bits fixed) is coded here rather than by a general compressor: its repeats lie at a few
// distances, the same all over the plane (runs of one byte, the row above, a model's patch period), so a parse
// that looks at those alone finds what deflate's matches would without a hash table, and each block's literals
// and lengths get a Huffman code fitted to them.

enum { MAX_BITS = 15, LENGTH_CODE_BITS = 7, LITLEN_SYMBOLS = 286, DISTANCE_SYMBOLS = 30, MATCHED_BLOCK = 1 << 17,
       END_OF_BLOCK = 256, MIN_MATCH = 3, MAX_MATCH = 258, WINDOW = 32768, DISTANCES = 3, SHORT_PERIOD = 16,
       SAMPLE_STRIDE = 509 };

// A match of a block's parse: the literals ahead of it, its length and the index of its distance.
typedef struct {
    uint32_t literals;
    uint16_t length, which;
} match;

long fd_matched_scratch(void) { return (long)sizeof(match) * (MATCHED_BLOCK / MIN_MATCH + 1); }

// Huffman code lengths for `n` symbols of frequencies `freq`, none over `limit` bits (symbols of frequency 0
// get none): while the longest code is too long the frequencies are halved (kept above 0) and the code rebuilt.
// Codes of two symbols or more are complete, as zlib requires (a block's literal/length code has its end and a
// byte at least, and the code-length code two lengths at least).
static void code_lengths(const uint32_t *freq, int n, int limit, uint8_t *lengths) {
    int symbols[LITLEN_SYMBOLS], count = 0, parent[2 * LITLEN_SYMBOLS];
    uint32_t weight[2 * LITLEN_SYMBOLS];
    uint8_t depth[2 * LITLEN_SYMBOLS];
    for (int i = 0; i < n; i++) {
        lengths[i] = 0;
        if (freq[i]) symbols[count++] = i;
    }
    if (count < 2) {  // a lone symbol gets a one-bit code (deflate's case of one distance code)
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

// Deflate's distance code for `distance` (1 ... 32768), with its extra bits.
static int distance_symbol(long distance, int *extra_bits, uint32_t *extra) {
    int symbol = 0;
    long base = 1;
    for (;; symbol++) {
        int bits = symbol < 4 ? 0 : symbol / 2 - 1;
        if (distance < base + (1L << bits)) {
            *extra_bits = bits, *extra = (uint32_t)(distance - base);
            return symbol;
        }
        base += 1L << bits;
    }
}

// A block's dynamic-code header: its literal/length and distance code lengths, themselves coded with the
// code-length code; and the codes.
typedef struct {
    int symbols, distances, order_count;
    uint8_t lengths[LITLEN_SYMBOLS + DISTANCE_SYMBOLS], cl_symbols[LITLEN_SYMBOLS + DISTANCE_SYMBOLS],
        cl_extra[LITLEN_SYMBOLS + DISTANCE_SYMBOLS], cl_lengths[19];
    uint16_t codes[LITLEN_SYMBOLS], distance_codes[DISTANCE_SYMBOLS], cl_codes[19];
} block_header;

static const uint8_t CL_ORDER[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

// Builds the header for literal/length frequencies `freq` and distance-code frequencies `distance_freq` (none at
// all: one unused code, as deflate allows); returns the block's size in bits without its extra bits.
static long make_header(const uint32_t *freq, const uint32_t *distance_freq, block_header *h) {
    code_lengths(freq, LITLEN_SYMBOLS, MAX_BITS, h->lengths);
    canonical_codes(h->lengths, LITLEN_SYMBOLS, h->codes);
    int hlit = LITLEN_SYMBOLS;
    while (h->lengths[hlit - 1] == 0) hlit--;
    h->symbols = hlit;
    uint8_t *distance_lengths = h->lengths + hlit;
    code_lengths(distance_freq, DISTANCE_SYMBOLS, MAX_BITS, distance_lengths);
    int hdist = DISTANCE_SYMBOLS;
    while (hdist > 1 && distance_lengths[hdist - 1] == 0) hdist--;
    if (distance_lengths[0] == 0 && hdist == 1) distance_lengths[0] = 1;
    h->distances = hdist;
    canonical_codes(distance_lengths, hdist, h->distance_codes);
    int total = hlit + hdist;
    uint32_t cl_freq[19] = {0};
    int n = 0;
    for (int i = 0; i < total;) {  // zeros run-length coded: 17 for 3-10, 18 for 11-138
        int zeros = 0;
        while (i + zeros < total && h->lengths[i + zeros] == 0 && zeros < 138) zeros++;
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
    for (int s = 0; s < LITLEN_SYMBOLS; s++) bits += (long)freq[s] * h->lengths[s];
    for (int s = 0; s < hdist; s++) bits += (long)distance_freq[s] * distance_lengths[s];
    return bits;
}

static void put_header(bit_writer *w, const block_header *h) {
    int hclen = 19;
    while (hclen > 4 && h->cl_lengths[CL_ORDER[hclen - 1]] == 0) hclen--;
    put_fast(w, 0, 1), put_fast(w, 2, 2);  // not final, dynamic codes
    put_fast(w, (uint32_t)(h->symbols - 257), 5), put_fast(w, (uint32_t)(h->distances - 1), 5);
    put_fast(w, (uint32_t)(hclen - 4), 4);
    for (int i = 0; i < hclen; i++) put_fast(w, h->cl_lengths[CL_ORDER[i]], 3);
    for (int i = 0; i < h->order_count; i++) {
        int s = h->cl_symbols[i];
        put_fast(w, h->cl_codes[s], h->cl_lengths[s]);
        if (s == 17) put_fast(w, h->cl_extra[i], 3);
        else if (s == 18) put_fast(w, h->cl_extra[i], 7);
    }
}

#if defined(__SSE2__)
#include <emmintrin.h>
enum { SCAN = 16 };
// Bit j set where the 3 bytes from here[j] repeat at one of the distances, j < SCAN - 2 (SSE2, which every
// x86-64 has: 16 bytes compared at once).
static inline uint32_t match_starts(const uint8_t *here, const long *distances, int count) {
    __m128i bytes = _mm_loadu_si128((const __m128i *)here);
    uint32_t starts = 0;
    for (int k = 0; k < count; k++) {
        uint32_t equal = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_loadu_si128((const __m128i *)(here - distances[k]))));
        starts |= equal & equal >> 1 & equal >> 2;
    }
    return starts & ((1u << (SCAN - 2)) - 1);
}
#else
enum { SCAN = 8 };
// The high bit of each byte of `x` that is 0; the other bits 0.
static inline uint64_t zero_bytes(uint64_t x) {
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    return ~(((x & low7) + low7) | x | low7);
}

// Bit j set where the 3 bytes from here[j] repeat at one of the distances, j < SCAN - 2 (8 bytes a word).
static inline uint32_t match_starts(const uint8_t *here, const long *distances, int count) {
    uint64_t bytes, there, starts = 0;
    memcpy(&bytes, here, 8);
    for (int k = 0; k < count; k++) {
        memcpy(&there, here - distances[k], 8);
        uint64_t zero = zero_bytes(bytes ^ there);
        starts |= zero & zero >> 8 & zero >> 16;
    }
    uint32_t mask = 0;
    for (int j = 0; j < SCAN - 2; j++) mask |= (uint32_t)(starts >> (8 * j + 7) & 1) << j;
    return mask;
}
#endif

// Bytes from `a` equal to those from `b`, at most `limit`.
static inline long common_length(const uint8_t *a, const uint8_t *b, long limit) {
    long n = 0;
    for (; n + 8 <= limit; n += 8) {
        uint64_t x, y;
        memcpy(&x, a + n, 8), memcpy(&y, b + n, 8);
        if (x != y) return n + (__builtin_ctzll(x ^ y) >> 3);
    }
    while (n < limit && a[n] == b[n]) n++;
    return n;
}

// The distances the plane's matches are looked for at: 1 (runs), then the two among 2 ... SHORT_PERIOD and the
// row above (`row`, and its neighbours) at which 4 bytes repeat most often in a sample of the plane, if at all.
// Returns how many.
static int match_distances(const uint8_t *plane, long bytes, long row, long *distances) {
    long candidates[SHORT_PERIOD + 2], hits[SHORT_PERIOD + 2] = {0}, first = SHORT_PERIOD;
    int n = 0;
    for (long d = 2; d <= SHORT_PERIOD; d++) candidates[n++] = d;
    if (row > SHORT_PERIOD + 1 && row < WINDOW) {
        candidates[n++] = row - 1, candidates[n++] = row, candidates[n++] = row + 1;
        first = row + 1;
    }
    for (long i = first; i + 4 <= bytes; i += SAMPLE_STRIDE) {
        uint32_t here;
        memcpy(&here, plane + i, 4);
        for (int k = 0; k < n; k++) {
            uint32_t there;
            memcpy(&there, plane + i - candidates[k], 4);
            hits[k] += here == there;
        }
    }
    int count = 0;
    distances[count++] = 1;
    for (; count < DISTANCES; count++) {
        int best = -1;
        for (int k = 0; k < n; k++) {
            if (hits[k] > 0 && (best < 0 || hits[k] > hits[best])) best = k;
        }
        if (best < 0) break;
        distances[count] = candidates[best];
        hits[best] = 0;
    }
    return count;
}

// `n` literal bytes in the block's code, two to a check of the bit buffer (codes of 15 bits at most).
static inline void put_literals(bit_writer *w, const uint8_t *data, long n, const block_header *h) {
    long k = 0;
    for (; k + 2 <= n; k += 2) {
        uint8_t a = data[k], b = data[k + 1];
        w->bits |= (uint64_t)h->codes[a] << w->count;
        w->count += h->lengths[a];
        w->bits |= (uint64_t)h->codes[b] << w->count;
        w->count += h->lengths[b];
        if (w->count >= 32) {
            uint32_t low = (uint32_t)w->bits;
            memcpy(w->out + w->at, &low, 4);
            w->at += 4, w->bits >>= 32, w->count -= 32;
        }
    }
    if (k < n) put_fast(w, h->codes[data[k]], h->lengths[data[k]]);
}

// What every block of a plane codes with: the distances looked at (match_distances), the farthest of them, each
// distance's code and extra bits, and each match length's symbol (less 256) and extra bits.
typedef struct {
    long distances[DISTANCES], farthest;
    int count, distance_symbols[DISTANCES], distance_bits[DISTANCES];
    uint32_t distance_extra[DISTANCES];
    uint8_t length_symbols[MAX_MATCH + 1], length_bits[MAX_MATCH + 1];
    uint16_t length_extra[MAX_MATCH + 1];
} plane_coding;

static void make_plane_coding(const uint8_t *plane, long bytes, long row, plane_coding *c) {
    c->count = match_distances(plane, bytes, row, c->distances);
    c->farthest = 0;
    for (int k = 0; k < c->count; k++) {
        c->farthest = c->distances[k] > c->farthest ? c->distances[k] : c->farthest;
        c->distance_symbols[k] = distance_symbol(c->distances[k], &c->distance_bits[k], &c->distance_extra[k]);
    }
    for (int length = MIN_MATCH; length <= MAX_MATCH; length++) {
        int bits;
        uint32_t extra;
        c->length_symbols[length] = (uint8_t)(length_symbol(length, &bits, &extra) - 256);
        c->length_bits[length] = (uint8_t)bits, c->length_extra[length] = (uint16_t)extra;
    }
}

// One block: plane[from ..< to] parsed greedily into literals and the longest match at the plane's distances, its
// frequencies counted, its code fitted, then written; stored (with its runs coded) when that would be no smaller.
static void put_matched_block(bit_writer *w, const uint8_t *plane, long from, long to, const plane_coding *c, match *matches) {
    uint32_t freq[LITLEN_SYMBOLS] = {0}, distance_freq[DISTANCE_SYMBOLS] = {0}, uses[DISTANCES] = {0};
    const long *distances = c->distances;
    const int count = c->count;
    long found = 0, extra_bits = 0, stretch = from;
    for (long i = from; i < to;) {
        if (i + SCAN <= to && i >= c->farthest) {
            // The literals before the first of the next SCAN - 2 bytes where 3 repeat at any distance.
            uint32_t starts = match_starts(plane + i, distances, count);
            long literals = starts ? __builtin_ctz(starts) : SCAN - 2;
            for (long end = i + literals; i < end; i++) freq[plane[i]]++;
            if (!starts) continue;
        }
        long limit = to - i < MAX_MATCH ? to - i : MAX_MATCH, length = 0;
        int which = 0;
        for (int k = 0; k < count; k++) {
            long d = distances[k];
            if (i >= d && plane[i] == plane[i - d]) {
                long n = common_length(plane + i, plane + i - d, limit);
                if (n > length) length = n, which = k;
            }
        }
        if (length < MIN_MATCH) {
            freq[plane[i++]]++;
            continue;
        }
        freq[256 + c->length_symbols[length]]++;
        uses[which]++;
        extra_bits += c->length_bits[length];
        matches[found++] = (match){(uint32_t)(i - stretch), (uint16_t)length, (uint16_t)which};
        i += length;
        stretch = i;
    }
    freq[END_OF_BLOCK] = 1;
    for (int k = 0; k < count; k++) {
        distance_freq[c->distance_symbols[k]] += uses[k];
        extra_bits += (long)uses[k] * c->distance_bits[k];
    }
    block_header h;
    if (make_header(freq, distance_freq, &h) + extra_bits >= 8 * (to - from)) {
        fd_put_noise(w, plane + from, to - from);
        return;
    }
    put_header(w, &h);
    const uint8_t *distance_lengths = h.lengths + h.symbols;
    long at = from;
    for (long t = 0; t < found; t++) {
        match m = matches[t];
        put_literals(w, plane + at, m.literals, &h);
        int s = 256 + c->length_symbols[m.length], d = c->distance_symbols[m.which];
        put_fast(w, h.codes[s], h.lengths[s]);
        put_fast(w, c->length_extra[m.length], c->length_bits[m.length]);
        put_fast(w, h.distance_codes[d], distance_lengths[d]);
        put_fast(w, c->distance_extra[m.which], c->distance_bits[m.which]);
        at += m.literals + m.length;
    }
    put_literals(w, plane + at, to - at, &h);
    put_fast(w, h.codes[END_OF_BLOCK], h.lengths[END_OF_BLOCK]);
    flush_bytes(w);
}

void fd_put_matched(bit_writer *w, const uint8_t *plane, long bytes, long row, void *scratch) {
    plane_coding coding;
    make_plane_coding(plane, bytes, row, &coding);
    for (long at = 0; at < bytes; at += MATCHED_BLOCK) {
        put_matched_block(w, plane, at, bytes - at < MATCHED_BLOCK ? bytes : at + MATCHED_BLOCK, &coding, scratch);
    }
}
