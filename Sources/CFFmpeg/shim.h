#ifndef BILIUP_CFFMPEG_SHIM_H
#define BILIUP_CFFMPEG_SHIM_H
#include <errno.h>
#include <fcntl.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/mathematics.h>
#include <libavutil/dict.h>
#include <libavutil/log.h>

/* Macros and compound literals Swift cannot import. */
static inline int shim_AVERROR(int e) { return AVERROR(e); }
static inline int shim_AVERROR_EOF(void) { return AVERROR_EOF; }
static inline int shim_AVERROR_EXIT(void) { return AVERROR_EXIT; }
static inline int shim_AVERROR_INVALIDDATA(void) { return AVERROR_INVALIDDATA; }
static inline int64_t shim_AV_NOPTS_VALUE(void) { return AV_NOPTS_VALUE; }
static inline AVRational shim_AV_TIME_BASE_Q(void) { return AV_TIME_BASE_Q; }
static inline const char *shim_av_err2str(int e, char *buf, size_t n) { return av_make_error_string(buf, n, e); }

typedef int (*shim_avio_read_cb)(void *opaque, uint8_t *buf, int size);
typedef int (*shim_avio_write_cb)(void *opaque, uint8_t *buf, int size);

/* FFmpeg 7 made write_packet's buffer const; keeping the cast here keeps Swift code version independent. */
static inline AVIOContext *shim_avio_alloc_read(unsigned char *buf, int size, void *opaque, shim_avio_read_cb read) {
    return avio_alloc_context(buf, size, 0, opaque, read, NULL, NULL);
}

typedef int64_t (*shim_avio_seek_cb)(void *opaque, int64_t offset, int whence);

/* A seekable write-only AVIOContext (the muxers that patch their headers at the end seek back). */
static inline AVIOContext *shim_avio_alloc_write(unsigned char *buf, int size, void *opaque,
                                                 shim_avio_write_cb write, shim_avio_seek_cb seek) {
    return avio_alloc_context(buf, size, 1, opaque, NULL, (int (*)(void *, uint8_t *, int))write, seek);
}
static inline int shim_AVSEEK_SIZE(void) { return AVSEEK_SIZE; }

/* O_DIRECT is only visible with _GNU_SOURCE; glibc's __O_DIRECT is the same flag without it. 0 where the
   platform has none (the caller then writes through the page cache). */
static inline int shim_O_DIRECT(void) {
#ifdef __O_DIRECT
    return __O_DIRECT;
#else
    return 0;
#endif
}

/* Write-behind for recordings: start writeback of a file range, or wait for it and drop the range from the
   page cache. sync_file_range(2) is only declared with _GNU_SOURCE, so it is called by number; its flag
   values are Linux ABI. Where the call does not exist the range simply stays in the page cache. */
#include <unistd.h>
#include <sys/syscall.h>
static inline void shim_start_writeback(int fd, int64_t offset, int64_t length) {
#if defined(__linux__) && defined(SYS_sync_file_range)
    syscall(SYS_sync_file_range, fd, offset, length, 2 /* SYNC_FILE_RANGE_WRITE */);
#endif
}
static inline void shim_drop_written(int fd, int64_t offset, int64_t length) {
#if defined(__linux__) && defined(SYS_sync_file_range)
    /* WAIT_BEFORE | WRITE | WAIT_AFTER: the range is clean afterwards, so the advice can drop it. */
    syscall(SYS_sync_file_range, fd, offset, length, 1 | 2 | 4);
    posix_fadvise(fd, offset, length, POSIX_FADV_DONTNEED);
#endif
}

/* Silence libav* below the given level; the recorder reports problems itself. */
static inline void shim_av_log_set_level(int level) { av_log_set_level(level); }

/* rename(2) that never replaces an existing file: renameat2's RENAME_NOREPLACE is only declared with
   _GNU_SOURCE, so it is called by number; the flag value is Linux ABI. 0, or the errno; ENOSYS where the
   call does not exist (the caller then links and unlinks, which refuses an existing target too). */
static inline int shim_rename_noreplace(int dirfd, const char *from, const char *to) {
#if defined(__linux__) && defined(SYS_renameat2)
    return syscall(SYS_renameat2, dirfd, from, dirfd, to, 1 /* RENAME_NOREPLACE */) == 0 ? 0 : errno;
#else
    return ENOSYS;
#endif
}

/* The interrupt flag libav polls on its thread while another thread sets it: C11 atomics, so the
   store is seen (Swift has no atomic view of a plain pointer it could hand to C). */
static inline void shim_flag_set(int *flag) { __atomic_store_n(flag, 1, __ATOMIC_RELEASE); }
static inline int shim_flag_get(void *flag) { return __atomic_load_n((int *)flag, __ATOMIC_ACQUIRE); }

#endif
