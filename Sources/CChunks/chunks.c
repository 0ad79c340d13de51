#include "CChunks.h"
#include <hdf5.h>
#include <libdeflate.h>
#include <string.h>

long fd_chunk_bound(long bytes) {
    return (long)libdeflate_zlib_compress_bound(NULL, (size_t)bytes) + 4;
}

// HDF5's shuffle filter: byte j of every element, for j = 0 ..< element_size, one run after another.
static void shuffle(const uint8_t *src, long bytes, int size, uint8_t *dst) {
    long n = bytes / size;
    for (int j = 0; j < size; j++) {
        uint8_t *run = dst + (long)j * n;
        for (long i = 0; i < n; i++) run[i] = src[i * size + j];
    }
    memcpy(dst + n * size, src + n * size, (size_t)(bytes - n * size));
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

long fd_chunk_encode(const fd_chunk_pipeline *pipeline, const void *data, long bytes, int element_size, void *out,
                     void *scratch) {
    const uint8_t *current = data;
    long size = bytes, capacity = fd_chunk_bound(bytes);
    // Each filter writes to whichever buffer does not hold its input, so that the last one ends in `out`.
    uint8_t *buffers[2] = {out, scratch};
    int remaining = pipeline->count;
    for (int f = 0; f < pipeline->count; f++, remaining--) {
        uint8_t *target = buffers[(remaining + 1) % 2];
        switch (pipeline->filters[f]) {
        case 2:
            shuffle(current, size, element_size, target);
            break;
        case 1: {
            struct libdeflate_compressor *c = compressor(pipeline->deflate_level);
            size_t written = c ? libdeflate_zlib_compress(c, current, (size_t)size, target, (size_t)(capacity - 4)) : 0;
            if (written == 0) return -1;
            size = (long)written;
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
