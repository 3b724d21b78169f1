import CMalloc

/// How this process asks glibc's malloc to hand memory back.
///
/// glibc raises its mmap threshold to the size of every large block freed (up to 32 MiB); blocks below
/// the new threshold then come from the heap arenas of whichever thread asked, and a freed one stays
/// resident while anything above it is in use. An upload frees libcurl's 512 KiB send buffer after
/// every chunk: measured with scripts/bench/upload.sh, four 500 MB files in a row peaked at 127 MB of
/// RSS, and at 94 MB with the threshold held. Held at 256 KiB, blocks that large (send buffers, chunk
/// buffers, media receive buffers: all long-lived) get mappings of their own, returned when freed,
/// while the many smaller ones (packets, events, JSON) stay on the fast heap path.
enum MallocPolicy {
    static let mmapThreshold: Int32 = 256 << 10

    static func apply() {
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
    }
}
