#include "CChunks.h"
#include <hdf5.h>
#include <libdeflate.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

// Bytes of one deflate stored block's payload at most.
enum { STORED_BLOCK = 65535 };

long fd_chunk_bound(long bytes) {
    // A zlib stream of stored blocks and one deflated tail, plus the Fletcher-32 checksum.
    return (long)libdeflate_zlib_compress_bound(NULL, (size_t)bytes) + 5 * (bytes / STORED_BLOCK + 2) + 4;
}

// HDF5's shuffle filter: byte j of every element, for j = 0 ..< element_size, one run after another. Elements
// of 4 and 2 bytes (float, int16) are read a word at a time, which compilers vectorise.
static void shuffle(const uint8_t *src, long bytes, int size, uint8_t *dst) {
    long n = bytes / size;
    if (size == 4) {
        uint8_t *restrict d0 = dst, *restrict d1 = dst + n, *restrict d2 = dst + 2 * n, *restrict d3 = dst + 3 * n;
        for (long i = 0; i < n; i++) {
            uint32_t v;
            memcpy(&v, src + 4 * i, 4);
            d0[i] = (uint8_t)v, d1[i] = (uint8_t)(v >> 8), d2[i] = (uint8_t)(v >> 16), d3[i] = (uint8_t)(v >> 24);
        }
    } else if (size == 2) {
        uint8_t *restrict d0 = dst, *restrict d1 = dst + n;
        for (long i = 0; i < n; i++) {
            uint16_t v;
            memcpy(&v, src + 2 * i, 2);
            d0[i] = (uint8_t)v, d1[i] = (uint8_t)(v >> 8);
        }
    } else {
        for (int j = 0; j < size; j++) {
            uint8_t *run = dst + (long)j * n;
            for (long i = 0; i < n; i++) run[i] = src[i * size + j];
        }
    }
    memcpy(dst + n * size, src + n * size, (size_t)(bytes - n * size));
}

// Deflate's bits, written least significant first.
typedef struct {
    uint8_t *out;
    long at;
    uint64_t bits;
    int count;
} bit_writer;

static void put(bit_writer *w, uint32_t value, int count) {
    w->bits |= (uint64_t)value << w->count;
    w->count += count;
    while (w->count >= 8) {
        w->out[w->at++] = (uint8_t)w->bits;
        w->bits >>= 8;
        w->count -= 8;
    }
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

// A match of `length` (3 ... 258) bytes at distance 1, in the fixed code.
static void put_repeat(bit_writer *w, int length) {
    static const uint16_t base[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
                                      131, 163, 195, 227, 258};
    static const uint8_t extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    int i = 28;
    while (base[i] > length) i--;
    int symbol = 257 + i;
    if (symbol < 280) put_code(w, (uint32_t)(symbol - 256), 7);
    else put_code(w, 0xC0 + (uint32_t)(symbol - 280), 8);
    if (extra[i]) put(w, (uint32_t)(length - base[i]), extra[i]);
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
// speed of a copy where deflate would find nothing to shrink. Leaves the stream byte aligned.
static void put_noise(bit_writer *w, const uint8_t *data, long bytes) {
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
        long left = run - 1;
        for (; left >= 258 + 3 || left == 258; left -= 258) put_repeat(w, 258);
        if (left > 258) put_repeat(w, 258 - 3), left -= 258 - 3;
        if (left >= 3) put_repeat(w, (int)left);
        else for (long k = 0; k < left; k++) put_literal(w, data[i]);
        literal = i + run;
    }
    if (coding) put_code(w, 0, 7);
    put_stored(w, data + literal, bytes - literal);
}

// Byte planes smaller than this are deflated whole: stored blocks would gain little time there and lose size.
enum { NOISE_PLANE = 8192 };

// Whether a byte plane is noise: in a sample from its middle (a quarter of it, 256 KiB at most), runs left out,
// the bytes' order-0 entropy is at least 95% of 8 bits, so deflate could not shrink it by 5%.
static int noise(const uint8_t *plane, long bytes) {
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

// A zlib stream of `bytes` bytes made of `planes` equal byte planes (the shuffle filter's output): leading
// planes of noise are written by put_noise, the rest deflated by libdeflate as the final blocks. Any inflater
// reads it: stored, fixed-code and dynamic blocks are all deflate.
static long deflate_planes(struct libdeflate_compressor *c, const uint8_t *src, long bytes, int planes, uint8_t *out,
                           long capacity) {
    long plane = bytes / planes, noisy = 0;
    for (int p = 0; p < planes - 1 && plane >= NOISE_PLANE && noise(src + p * plane, plane); p++) noisy += plane;
    bit_writer w = {out, 0, 0, 0};
    w.out[w.at++] = 0x78, w.out[w.at++] = 0x01;  // deflate, 32 KiB window
    if (noisy) put_noise(&w, src, noisy);
    size_t written = libdeflate_deflate_compress(c, src + noisy, (size_t)(bytes - noisy), out + w.at, (size_t)(capacity - w.at - 4));
    if (written == 0) return -1;
    long at = w.at + (long)written;
    uint32_t sum = libdeflate_adler32(1, src, (size_t)bytes);
    out[at++] = (uint8_t)(sum >> 24), out[at++] = (uint8_t)(sum >> 16), out[at++] = (uint8_t)(sum >> 8), out[at++] = (uint8_t)sum;
    return at;
}

// HDF5's Fletcher-32 (H5_checksum_fletcher32): 16-bit big-endian words, sums folded every 360 words.
static uint32_t fletcher32(const uint8_t *data, long bytes) {
    uint32_t sum1 = 0, sum2 = 0;
    long words = bytes / 2;
    while (words) {
        long block = words > 360 ? 360 : words;
        words -= block;
        do {
            sum1 += (uint32_t)((data[0] << 8) | data[1]);
            data += 2;
            sum2 += sum1;
        } while (--block);
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    if (bytes % 2) {
        sum1 += (uint32_t)(*data << 8);
        sum2 += sum1;
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    return (sum2 << 16) | sum1;
}

// One compressor per thread and level, kept for the thread's life.
static struct libdeflate_compressor *compressor(int level) {
    static __thread struct libdeflate_compressor *kept;
    static __thread int kept_level = -1;
    if (kept_level != level) {
        if (kept) libdeflate_free_compressor(kept);
        kept = libdeflate_alloc_compressor(level);
        kept_level = kept ? level : -1;
    }
    return kept;
}

// A buffer of at least `bytes` bytes that the calling thread keeps (slots 0 and 1 for decoding, 2 for encoding), or NULL.
static uint8_t *kept_buffer(int slot, long bytes) {
    static __thread uint8_t *kept[3];
    static __thread long kept_bytes[3];
    if (kept_bytes[slot] < bytes) {
        free(kept[slot]);
        kept[slot] = malloc((size_t)bytes);
        kept_bytes[slot] = kept[slot] ? bytes : 0;
    }
    return kept[slot];
}

long fd_chunk_encode(const fd_chunk_pipeline *pipeline, const void *data, long bytes, int element_size, void *out,
                     void *scratch) {
    const uint8_t *current = data;
    long size = bytes, capacity = fd_chunk_bound(bytes);
    if (!scratch && !(scratch = kept_buffer(2, capacity))) return -1;
    // Each filter writes to whichever buffer does not hold its input, so that the last one ends in `out`.
    uint8_t *buffers[2] = {out, scratch};
    int remaining = pipeline->count, planes = 1;
    for (int f = 0; f < pipeline->count; f++, remaining--) {
        uint8_t *target = buffers[(remaining + 1) % 2];
        switch (pipeline->filters[f]) {
        case 2:
            shuffle(current, size, element_size, target);
            if (size % element_size == 0) planes = element_size;
            break;
        case 1: {
            struct libdeflate_compressor *c = compressor(pipeline->deflate_level);
            size = c ? deflate_planes(c, current, size, planes, target, capacity - 4) : -1;
            if (size < 0) return -1;
            planes = 1;
            break;
        }
        case 3: {
            uint32_t sum = fletcher32(current, size);
            if (current != target) memmove(target, current, (size_t)size);
            uint8_t encoded[4] = {(uint8_t)sum, (uint8_t)(sum >> 8), (uint8_t)(sum >> 16), (uint8_t)(sum >> 24)};
            memcpy(target + size, encoded, 4);
            size += 4;
            break;
        }
        default:
            return -1;
        }
        current = target;
    }
    if (current != out) memcpy(out, current, (size_t)size);
    return size;
}

int64_t fd_h5_open(const char *path) { return H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT); }

int fd_h5_close(int64_t file) { return H5Fclose(file); }

int64_t fd_h5_dataset(int64_t file, const char *name, fd_chunk_pipeline *pipeline) {
    hid_t dataset = H5Dopen2(file, name, H5P_DEFAULT);
    if (dataset < 0) return -1;
    hid_t plist = H5Dget_create_plist(dataset);
    int count = plist < 0 ? -1 : H5Pget_nfilters(plist);
    int ok = count >= 0 && count <= 8;
    pipeline->count = ok ? count : 0;
    pipeline->deflate_level = 0;
    for (int i = 0; ok && i < count; i++) {
        unsigned flags, values[8] = {0};
        size_t nvalues = 8;
        char filter_name[64];
        H5Z_filter_t filter = H5Pget_filter2(plist, (unsigned)i, &flags, &nvalues, values, sizeof filter_name, filter_name, NULL);
        if (filter == H5Z_FILTER_DEFLATE) {
            pipeline->filters[i] = 1;
            pipeline->deflate_level = nvalues > 0 ? (int)values[0] : 6;
        } else if (filter == H5Z_FILTER_SHUFFLE) {
            pipeline->filters[i] = 2;
        } else if (filter == H5Z_FILTER_FLETCHER32) {
            pipeline->filters[i] = 3;
        } else {
            ok = 0;
        }
    }
    if (plist >= 0) H5Pclose(plist);
    if (!ok) {
        H5Dclose(dataset);
        return -1;
    }
    return dataset;
}

int fd_h5_dataset_close(int64_t dataset) { return H5Dclose(dataset); }

int fd_h5_extend(int64_t dataset, long length) {
    hid_t space = H5Dget_space(dataset);
    if (space < 0) return -1;
    hsize_t dims[H5S_MAX_RANK];
    int rank = H5Sget_simple_extent_dims(space, dims, NULL);
    H5Sclose(space);
    if (rank < 1) return -1;
    if (dims[0] >= (hsize_t)length) return 0;
    dims[0] = (hsize_t)length;
    return H5Dset_extent(dataset, dims);
}

int fd_h5_write_chunk(int64_t dataset, const unsigned long long *offset, const void *data, long size) {
    return H5Dwrite_chunk(dataset, H5P_DEFAULT, 0, (const hsize_t *)offset, (size_t)size, data);
}

int fd_h5_write_element(int64_t dataset, long index, double value) {
    hid_t space = H5Dget_space(dataset);
    if (space < 0) return -1;
    hsize_t start = (hsize_t)index, count = 1;
    int status = H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &count, NULL);
    hid_t memory = H5Screate_simple(1, &count, NULL);
    if (status >= 0 && memory >= 0) status = H5Dwrite(dataset, H5T_NATIVE_DOUBLE, memory, space, H5P_DEFAULT, &value);
    if (memory >= 0) H5Sclose(memory);
    H5Sclose(space);
    return status;
}

// HDF5's shuffle undone: element i's byte j is byte i of run j.
static void unshuffle(const uint8_t *src, long bytes, int size, uint8_t *dst) {
    long n = bytes / size;
    if (size == 4) {
        const uint8_t *restrict s0 = src, *restrict s1 = src + n, *restrict s2 = src + 2 * n, *restrict s3 = src + 3 * n;
        for (long i = 0; i < n; i++) {
            uint32_t v = (uint32_t)s0[i] | (uint32_t)s1[i] << 8 | (uint32_t)s2[i] << 16 | (uint32_t)s3[i] << 24;
            memcpy(dst + 4 * i, &v, 4);
        }
    } else {
        for (int j = 0; j < size; j++) {
            const uint8_t *run = src + (long)j * n;
            for (long i = 0; i < n; i++) dst[i * size + j] = run[i];
        }
    }
    memcpy(dst + n * size, src + n * size, (size_t)(bytes - n * size));
}

const void *fd_chunk_decode(const fd_chunk_pipeline *pipeline, unsigned mask, const void *in, long size, int element_size,
                            long bytes) {
    static __thread struct libdeflate_decompressor *decompressor;
    const uint8_t *current = in;
    // The values, and the checksums of any Fletcher-32 applied before deflate or shuffle.
    long capacity = bytes + 4 * pipeline->count;
    int slot = 0;
    for (int f = pipeline->count - 1; f >= 0; f--) {
        if (mask & (1u << f)) continue;
        switch (pipeline->filters[f]) {
        case 3: {  // Fletcher-32: check, then drop the checksum
            if (size < 4) return NULL;
            uint32_t stored;
            memcpy(&stored, current + size - 4, 4);
            size -= 4;
            if (fletcher32(current, size) != stored) return NULL;
            break;
        }
        case 1: {
            uint8_t *target = kept_buffer(slot ^= 1, capacity);
            if (!target || (!decompressor && !(decompressor = libdeflate_alloc_decompressor()))) return NULL;
            size_t produced = 0;
            if (libdeflate_zlib_decompress(decompressor, current, (size_t)size, target, (size_t)capacity, &produced) != LIBDEFLATE_SUCCESS)
                return NULL;
            current = target, size = (long)produced;
            break;
        }
        case 2: {
            uint8_t *target = kept_buffer(slot ^= 1, capacity);
            if (!target || size < bytes) return NULL;
            unshuffle(current, size, element_size, target);
            current = target;
            break;
        }
        default:
            return NULL;
        }
    }
    return size == bytes ? current : NULL;
}

int64_t fd_h5_open_read(const char *path) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return -1;
    // netCDF-C's own close degree: a file opened twice must be opened alike.
    H5Pset_fclose_degree(fapl, H5F_CLOSE_WEAK);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return file;
}

int64_t fd_h5_dataset_chunks(int64_t file, const char *name, fd_chunk_pipeline *pipeline, fd_chunk_layout *layout) {
    hid_t dataset = fd_h5_dataset(file, name, pipeline);
    if (dataset < 0) return -1;
    hid_t plist = H5Dget_create_plist(dataset), space = H5Dget_space(dataset), type = H5Dget_type(dataset);
    int ok = plist >= 0 && space >= 0 && type >= 0 && H5Pget_layout(plist) == H5D_CHUNKED;
    if (ok) {
        int rank = H5Sget_simple_extent_ndims(space);
        ok = rank >= 1 && rank <= 8 && H5Pget_chunk(plist, rank, (hsize_t *)layout->chunk) == rank
             && H5Sget_simple_extent_dims(space, (hsize_t *)layout->dims, NULL) == rank;
        layout->rank = rank;
    }
    if (ok) {
        H5T_class_t class = H5Tget_class(type);
        size_t size = H5Tget_size(type);
        layout->element_size = (int)size;
        layout->type = class == H5T_FLOAT && size == 4 ? 1 : class == H5T_FLOAT && size == 8 ? 2
                       : class == H5T_INTEGER && H5Tget_sign(type) == H5T_SGN_2 && size == 2 ? 3
                       : class == H5T_INTEGER && H5Tget_sign(type) == H5T_SGN_2 && size == 4 ? 4 : 0;
        ok = layout->type != 0 && H5Tget_order(type) == H5T_ORDER_LE;
    }
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    if (plist >= 0) H5Pclose(plist);
    if (!ok) {
        H5Dclose(dataset);
        return -1;
    }
    return dataset;
}

long fd_h5_chunk_size(int64_t dataset, const unsigned long long *offset) {
    hsize_t size = 0;
    if (H5Dget_chunk_storage_size(dataset, (const hsize_t *)offset, &size) < 0) return -1;
    return (long)size;
}

int fd_h5_read_chunk(int64_t dataset, const unsigned long long *offset, unsigned *mask, void *out) {
    uint32_t filters = 0;
    herr_t status = H5Dread_chunk(dataset, H5P_DEFAULT, (const hsize_t *)offset, &filters, out);
    *mask = filters;
    return status;
}
