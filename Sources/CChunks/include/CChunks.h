#ifndef FORECASTD_CCHUNKS_H
#define FORECASTD_CCHUNKS_H
#include <stdint.h>

/// Whole chunks of a netCDF-4 (HDF5) dataset encoded by forecastd and handed to libhdf5 as they will be stored
/// (H5Dwrite_chunk), so that compression can run on many threads while libhdf5 itself, which is not
/// thread-safe, only copies bytes. The encoding is the dataset's own filter pipeline, read from the file, applied
/// in its order: shuffle (HDF5's byte transposition), deflate (a zlib stream: at the fast levels forecastd's own blocks
/// for each byte plane, deflate_writer.h; at the others libdeflate's, after forecastd's for leading noise) and
/// Fletcher-32 (HDF5's checksum, appended little-endian): any reader decodes the chunks with no plugin.
/// Reading is the same in reverse: libhdf5 reads a chunk's stored bytes (H5Dread_chunk) and forecastd decodes
/// many chunks at once (fd_chunk_decode), whichever order the pipeline's filters were applied in.

/// A dataset's filter pipeline, in order: 1 deflate, 2 shuffle, 3 Fletcher-32; and the elements of a row of its
/// chunks (their last dimension; 0 unknown), where deflate looks for repeats of the row above.
typedef struct {
    int count;
    int filters[8];
    int deflate_level;
    long row;
} fd_chunk_pipeline;

/// How float32 values are stored: NaN (no data) as `fill`, every other value rounded to the significant bits that
/// `keep` holds as netCDF-C's BitRound rounds (`half` of the dropped mantissa added, the dropped bits cleared).
typedef struct {
    uint32_t keep, half, fill;
} fd_float_store;
/// The store of `bits` significant bits (23: values as they are) with `fill` for NaN.
fd_float_store fd_float_store_make(int bits, float fill);
/// `count` values stored as `store` says, into `out` (which may be `values`).
void fd_store_floats(const float *values, long count, const fd_float_store *store, float *out);

/// Bytes an encoded chunk of `bytes` bytes may need.
long fd_chunk_bound(long bytes);
/// Encodes one chunk of `bytes` bytes (elements of `element_size` bytes) through `pipeline` into `out`, using
/// `scratch` (NULL: a buffer the calling thread keeps); both hold fd_chunk_bound(bytes). Returns the encoded
/// size, or -1 if deflate fails.
long fd_chunk_encode(const fd_chunk_pipeline *pipeline, const void *data, long bytes, int element_size, void *out,
                     void *scratch);

/// fd_chunk_encode of `count` float32 values stored as `store` says (fd_store_floats) on their way into the
/// pipeline's first filter: no stored copy of them is made where that filter is the shuffle.
long fd_chunk_encode_floats(const fd_chunk_pipeline *pipeline, const float *values, long count, const fd_float_store *store,
                            void *out, void *scratch);

/// Opens an existing HDF5 file for writing; negative on failure.
int64_t fd_h5_open(const char *path);
/// Closes a file opened by fd_h5_open; negative on failure (the data may not be on disk).
int fd_h5_close(int64_t file);
/// Opens dataset `name` and reads its filter pipeline; negative on failure, or if the pipeline holds a filter
/// other than shuffle, deflate and Fletcher-32.
int64_t fd_h5_dataset(int64_t file, const char *name, fd_chunk_pipeline *pipeline);
/// Closes a dataset.
int fd_h5_dataset_close(int64_t dataset);
/// Sets the extent of the dataset's first (unlimited) dimension to `length`, the others unchanged.
int fd_h5_extend(int64_t dataset, long length);
/// Stores an encoded chunk at element offset `offset` (one entry per dimension).
int fd_h5_write_chunk(int64_t dataset, const unsigned long long *offset, const void *data, long size);
/// Writes `value` (converted to the dataset's type) at `index` of a one-dimensional dataset.
int fd_h5_write_element(int64_t dataset, long index, double value);

/// The file descriptor libhdf5 writes an open file through (its default driver), or -1 with another driver.
int fd_h5_descriptor(int64_t file);
/// Bytes a file must have gained before fd_write_behind acts: a small output is left to the page cache whole.
#define FD_WRITE_BEHIND_STEP (32LL << 20)
/// Write-behind for a file written front to back, so that a large output neither fills the page cache nor costs
/// the fresh pages a growing cache needs (copying into them is most of what writing costs on virtual machines):
/// once the file has gained FD_WRITE_BEHIND_STEP bytes past `marks[0]`, waits until the range the previous step
/// started (`marks[1]` ..< `marks[0]`) is on disk and drops it from the page cache, then starts writing out the
/// file from `marks[0]` to its end, and moves the marks on (both 0 for a new file). Needs no lock. Returns -1 (errno says why) when the disk reported that written data was lost (an
/// I/O error, no space, over quota); 0 otherwise, also where the file system lacks the calls.
int fd_write_behind(int descriptor, long long marks[2]);

/// A chunked dataset's shape as read for its chunks: `rank` dimensions and chunk lengths, and its values'
/// type: 1 float32, 2 float64, 3 int16, 4 int32 (little-endian, as stored).
typedef struct {
    int rank;
    unsigned long long dims[8];
    unsigned long long chunk[8];
    int type;
    int element_size;
} fd_chunk_layout;

/// Opens an existing HDF5 file read-only (as netCDF-C opens its inputs, so both may hold it); negative on failure.
int64_t fd_h5_open_read(const char *path);
/// Opens dataset `name` for reading its chunks: its filter pipeline and layout. Negative when it is not chunked,
/// its type is none of the layout's, it is not little-endian, or a filter is other than shuffle, deflate and
/// Fletcher-32.
int64_t fd_h5_dataset_chunks(int64_t file, const char *name, fd_chunk_pipeline *pipeline, fd_chunk_layout *layout);
/// Bytes the chunk at element offset `offset` takes in the file; 0 when it was never written, negative on failure.
long fd_h5_chunk_size(int64_t dataset, const unsigned long long *offset);
/// Reads the chunk at `offset` as stored (fd_h5_chunk_size bytes) into `out`, and which filters were skipped
/// when it was written (bit i: filter i) into `mask`; negative on failure.
int fd_h5_read_chunk(int64_t dataset, const unsigned long long *offset, unsigned *mask, void *out);
/// Decodes a stored chunk of `size` bytes through the pipeline in reverse, the filters in `mask` skipped:
/// Fletcher-32 checked, deflate inflated by libdeflate, shuffle undone, giving `bytes` bytes of elements of
/// `element_size` bytes: `in` itself when no filter changes the bytes, else a buffer the calling thread keeps
/// until its next call. NULL when the chunk does not decode to exactly `bytes` bytes or its checksum differs.
const void *fd_chunk_decode(const fd_chunk_pipeline *pipeline, unsigned mask, const void *in, long size, int element_size,
                            long bytes);
#endif
