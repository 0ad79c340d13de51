#include "CChunks.h"
#include "deflate_writer.h"
#include <hdf5.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

long fd_chunk_bound(long bytes) {
    // A zlib stream of stored blocks and one deflated tail, plus the Fletcher-32 checksum.
    return (long)libdeflate_zlib_compress_bound(NULL, (size_t)bytes) + 5 * (bytes / STORED_BLOCK + 2) + 4;
}

fd_float_store fd_float_store_make(int bits, float fill) {
    uint32_t keep = bits >= 23 ? 0xFFFFFFFFu : 0xFFFFFFFFu << (23 - (bits < 1 ? 1 : bits)), fill_word;
    memcpy(&fill_word, &fill, 4);
    return (fd_float_store){keep, ~keep & (keep >> 1), fill_word};
}

// A float's word as stored: the rule of fd_float_store, branch-free.
static inline uint32_t stored_word(uint32_t word, const fd_float_store *store) {
    return (word & 0x7FFFFFFFu) > 0x7F800000u ? store->fill : (word + store->half) & store->keep;
}

void fd_store_floats(const float *values, long count, const fd_float_store *store, float *out) {
    const fd_float_store s = *store;
    for (long i = 0; i < count; i++) {
        uint32_t word;
        memcpy(&word, values + i, 4);
        word = stored_word(word, &s);
        memcpy(out + i, &word, 4);
    }
}

// HDF5's shuffle filter: byte j of every element, for j = 0 ..< element_size, one run after another. Elements
// of 4 and 2 bytes (float, int16) are read a word at a time, which compilers vectorise; floats are stored as
// `store` says on the way when it is given.
static void shuffle(const uint8_t *src, long bytes, int size, uint8_t *dst, const fd_float_store *store) {
    long n = bytes / size;
    if (size == 4) {
        const fd_float_store s = store ? *store : (fd_float_store){0xFFFFFFFFu, 0, 0};
        const int storing = store != NULL;
        uint8_t *restrict d0 = dst, *restrict d1 = dst + n, *restrict d2 = dst + 2 * n, *restrict d3 = dst + 3 * n;
        for (long i = 0; i < n; i++) {
            uint32_t v;
            memcpy(&v, src + 4 * i, 4);
            if (storing) v = stored_word(v, &s);
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

// Byte planes smaller than this are deflated whole: stored blocks would gain little time there and lose size.
enum { NOISE_PLANE = 8192 };

// HDF5's Fletcher-32 (H5_checksum_fletcher32): the sum of 16-bit big-endian words (an odd last byte as the high
// byte of one more word) and the sum of their running sums. HDF5 folds both every 360 words, which keeps each
// congruent modulo 65535 and positive once positive: its result is 0 for a sum of 0, else the residue modulo
// 65535, written 65535 for a multiple of it. The same residues here, from blocks of words whose plain and
// weighted sums the compiler vectorises.
enum { FLETCHER_BLOCK = 256 };
static uint32_t fletcher32(const uint8_t *data, long bytes) {
    uint64_t sum1 = 0, sum2 = 0;
    uint32_t any = 0;
    long words = bytes / 2;
    for (; words >= FLETCHER_BLOCK; words -= FLETCHER_BLOCK, data += 2 * FLETCHER_BLOCK) {
        // At most 256 x 65535 and 32896 x 65535: both fit 32 bits.
        uint32_t plain = 0, weighted = 0;
        for (uint32_t i = 0; i < FLETCHER_BLOCK; i++) {
            uint32_t word = (uint32_t)data[2 * i] << 8 | data[2 * i + 1];
            plain += word;
            weighted += (FLETCHER_BLOCK - i) * word;
        }
        sum2 = (sum2 + FLETCHER_BLOCK * sum1 + weighted) % 65535;
        sum1 = (sum1 + plain) % 65535;
        any |= plain;
    }
    for (; words; words--, data += 2) {
        uint32_t word = (uint32_t)data[0] << 8 | data[1];
        sum1 += word, sum2 += sum1, any |= word;
    }
    if (bytes % 2) sum1 += (uint32_t)data[0] << 8, sum2 += sum1, any |= data[0];
    sum1 %= 65535, sum2 %= 65535;
    if (any) sum1 = sum1 ? sum1 : 65535, sum2 = sum2 ? sum2 : 65535;
    return (uint32_t)(sum2 << 16 | sum1);
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

// A buffer of at least `bytes` bytes that the calling thread keeps (slots 0 and 1 for decoding, 2, 3 and 4 for
// encoding), or NULL.
static uint8_t *kept_buffer(int slot, long bytes) {
    static __thread uint8_t *kept[5];
    static __thread long kept_bytes[5];
    if (kept_bytes[slot] < bytes) {
        free(kept[slot]);
        kept[slot] = malloc((size_t)bytes);
        kept_bytes[slot] = kept[slot] ? bytes : 0;
    }
    return kept[slot];
}

// A zlib stream of `bytes` bytes made of `planes` equal byte planes (the shuffle filter's output), of rows of
// `row` bytes. At the fast levels (1-3) forecastd writes every block itself: planes of noise stored (their runs
// coded), the others coded with their runs and repeats at the row above and the like (deflate_writer.h), which
// is several times faster than a general compressor and as small on such planes. At the higher levels the
// planes of noise ahead of the first that is not are stored, and libdeflate deflates the rest as the final
// blocks; so it does an unshuffled chunk whole. Any inflater reads it: stored, fixed-code and dynamic blocks are
// all deflate.
static long deflate_planes(struct libdeflate_compressor *c, int level, const uint8_t *src, long bytes, int planes,
                           long row, uint8_t *out, long capacity) {
    long plane = bytes / planes;
    int own = planes > 1 && level <= 3 && plane >= NOISE_PLANE, noisy[8] = {0}, last = -1;
    for (int p = 0; p < planes && plane >= NOISE_PLANE; p++) {
        if ((noisy[p] = fd_is_noise(src + p * plane, plane)) || own) last = p;
        else break;
    }
    void *tokens = own ? kept_buffer(3, fd_matched_scratch()) : NULL;
    if (own && !tokens) return -1;
    bit_writer w = {out, 0, 0, 0};
    w.out[w.at++] = 0x78, w.out[w.at++] = 0x01;  // deflate, 32 KiB window
    for (int p = 0; p <= last; p++) {
        if (noisy[p]) fd_put_noise(&w, src + p * plane, plane);
        else fd_put_matched(&w, src + p * plane, plane, row, tokens);
    }
    long head = (last + 1) * plane, at;
    if (head == bytes) {
        fd_put_end(&w);
        at = w.at;
    } else {
        size_t written = libdeflate_deflate_compress(c, src + head, (size_t)(bytes - head), out + w.at, (size_t)(capacity - w.at - 4));
        if (written == 0) return -1;
        at = w.at + (long)written;
    }
    uint32_t sum = libdeflate_adler32(1, src, (size_t)bytes);
    out[at++] = (uint8_t)(sum >> 24), out[at++] = (uint8_t)(sum >> 16), out[at++] = (uint8_t)(sum >> 8), out[at++] = (uint8_t)sum;
    return at;
}

// fd_chunk_encode, the floats stored as `store` says when it is given: in the shuffle where that filter comes
// first, else in a stored copy made first.
static long encode(const fd_chunk_pipeline *pipeline, const void *data, long bytes, int element_size, const fd_float_store *store,
                   void *out, void *scratch) {
    const uint8_t *current = data;
    long size = bytes, capacity = fd_chunk_bound(bytes);
    if (!scratch && !(scratch = kept_buffer(2, capacity))) return -1;
    if (store && (pipeline->count == 0 || pipeline->filters[0] != 2)) {
        uint8_t *stored = kept_buffer(4, bytes);
        if (!stored) return -1;
        fd_store_floats(data, bytes / 4, store, (float *)stored);
        current = stored, store = NULL;
    }
    // Each filter writes to whichever buffer does not hold its input, so that the last one ends in `out`.
    uint8_t *buffers[2] = {out, scratch};
    int remaining = pipeline->count, planes = 1;
    for (int f = 0; f < pipeline->count; f++, remaining--) {
        uint8_t *target = buffers[(remaining + 1) % 2];
        switch (pipeline->filters[f]) {
        case 2:
            shuffle(current, size, element_size, target, store);
            store = NULL;
            if (size % element_size == 0) planes = element_size;
            break;
        case 1: {
            struct libdeflate_compressor *c = compressor(pipeline->deflate_level);
            size = c ? deflate_planes(c, pipeline->deflate_level, current, size, planes, pipeline->row, target, capacity - 4) : -1;
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

long fd_chunk_encode(const fd_chunk_pipeline *pipeline, const void *data, long bytes, int element_size, void *out,
                     void *scratch) {
    return encode(pipeline, data, bytes, element_size, NULL, out, scratch);
}

long fd_chunk_encode_floats(const fd_chunk_pipeline *pipeline, const float *values, long count, const fd_float_store *store,
                            void *out, void *scratch) {
    return encode(pipeline, values, 4 * count, 4, store, out, scratch);
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
    hsize_t chunk[H5S_MAX_RANK];
    int rank = ok ? H5Pget_chunk(plist, H5S_MAX_RANK, chunk) : -1;
    pipeline->row = rank > 0 ? (long)chunk[rank - 1] : 0;
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
