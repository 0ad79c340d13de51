#define _GNU_SOURCE
#include "CChunks.h"
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <sys/stat.h>

int fd_h5_descriptor(int64_t file) {
    hid_t access = H5Fget_access_plist(file);
    if (access < 0) return -1;
    int sec2 = H5Pget_driver(access) == H5FD_SEC2;
    H5Pclose(access);
    int *handle = NULL;
    // The default (sec2) driver's handle is its file descriptor.
    if (!sec2 || H5Fget_vfd_handle(file, H5P_DEFAULT, (void **)&handle) < 0 || !handle) return -1;
    return *handle;
}

// An error that means written data did not reach the disk; others (a file system without the calls) are ignored.
static int lost(void) { return errno == EIO || errno == ENOSPC || errno == EDQUOT; }

int fd_write_behind(int descriptor, long long marks[2]) {
    struct stat status;
    if (descriptor < 0 || fstat(descriptor, &status) != 0 || status.st_size - marks[0] < FD_WRITE_BEHIND_STEP) return 0;
    if (marks[1] < marks[0]) {
        long long length = marks[0] - marks[1];
        if (sync_file_range(descriptor, marks[1], length,
                            SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) != 0 && lost())
            return -1;
        posix_fadvise(descriptor, marks[1], length, POSIX_FADV_DONTNEED);
        marks[1] = marks[0];
    }
    if (sync_file_range(descriptor, marks[0], status.st_size - marks[0], SYNC_FILE_RANGE_WRITE) != 0 && lost()) return -1;
    marks[0] = status.st_size;
    return 0;
}
