import BiliupEngine
import BiliupMedia

/// What the server itself counts beside the engine's snapshot.
struct ServerGauges {
    var version: String
    var webSocketSubscribers: Int
    var httpConnections: Int
}

/// `GET /metrics`: the engine's snapshot, the server's gauges and the process's usage as Prometheus text.
enum MetricsExposition {
    static func text(_ m: EngineMetrics, server: ServerGauges, process: ProcessUsage?) -> String {
        var out = PrometheusText()
        out.family("biliup_build_info", .gauge, "The running version (always 1).")
        out.sample("biliup_build_info", ["version": server.version], 1)
        out.single("biliup_start_time_seconds", .gauge, "When the engine started (unix seconds).", m.startedAt.timeIntervalSince1970)
        streamerStates(m, into: &out)
        perStreamer(m, into: &out)
        checks(m, into: &out)
        uploads(m, into: &out)
        out.single("biliup_websocket_subscribers", .gauge, "Event WebSocket subscribers connected now.", Double(server.webSocketSubscribers))
        out.single("biliup_http_connections", .gauge, "HTTP connections open now (WebSockets included).", Double(server.httpConnections))
        if let free = m.diskFree {
            out.single("biliup_disk_free_bytes", .gauge, "Free bytes on the file system of the recordings folder.", Double(free))
        }
        if let p = process { processUsage(p, into: &out) }
        return out.text
    }

    private static func streamerStates(_ m: EngineMetrics, into out: inout PrometheusText) {
        var phases: [StreamerPhase: Int] = [:]
        var recordings: [RecordingStatus.State: Int] = [:]
        for s in m.streamers {
            phases[s.phase, default: 0] += 1
            if let state = s.recordingState { recordings[state, default: 0] += 1 }
        }
        out.family("biliup_streamers", .gauge, "Watched streamers by what they do now.")
        for phase in [StreamerPhase.idle, .recording, .waiting, .queued, .paused, .stopped] {
            out.sample("biliup_streamers", ["state": phase.rawValue], phases[phase] ?? 0)
        }
        out.family("biliup_recordings", .gauge, "Running recordings by the state of their stream.")
        for state in [RecordingStatus.State.connecting, .recording, .reconnecting] {
            out.sample("biliup_recordings", ["state": state.rawValue], recordings[state] ?? 0)
        }
        out.single("biliup_recording_slots", .gauge, "Recordings that may run at once (max_recordings).", Double(m.maxRecordings))
        out.single("biliup_recording_queue", .gauge, "Live streamers waiting for a free recording slot.", Double(m.recordingQueue))
    }

    /// One series per streamer and counter; streamers appear once watched, with zeros until they record.
    private static func perStreamer(_ m: EngineMetrics, into out: inout PrometheusText) {
        let families: [(String, String, (EngineMetrics.Streamer) -> Int64)] = [
            ("biliup_recordings_started_total", "Recordings started (a reconnect inside one does not count).", { Int64($0.counters.recordings) }),
            ("biliup_recorded_bytes_total", "Bytes written to recording files, the open one included.", { $0.bytesWritten }),
            ("biliup_segments_total", "Segment files closed and kept.", { Int64($0.counters.segments) }),
            ("biliup_reconnects_total", "Reconnects inside recordings.", { Int64($0.counters.reconnects) }),
            ("biliup_timestamp_fixes_total", "Timestamp jumps and backward steps repaired, in closed segments.", { Int64($0.counters.timestampFixes) }),
        ]
        for (name, help, value) in families {
            out.family(name, .counter, help)
            for s in m.streamers { out.sample(name, ["streamer": s.name], value(s)) }
        }
        out.family("biliup_recorded_frames_total", .counter, "Frames written, in closed segments, by track.")
        for s in m.streamers {
            out.sample("biliup_recorded_frames_total", ["streamer": s.name, "track": "video"], s.counters.videoFrames)
            out.sample("biliup_recorded_frames_total", ["streamer": s.name, "track": "audio"], s.counters.audioFrames)
        }
    }

    private static func checks(_ m: EngineMetrics, into out: inout PrometheusText) {
        // A room no plugin matches is checked under the platform "" (to report its error): "none" here.
        let platforms = m.checks.keys.sorted().map { (label: $0.isEmpty ? "none" : $0, counts: m.checks[$0]!) }
        out.family("biliup_checks_total", .counter, "Check calls ended, per platform (a batch call counts once).")
        for p in platforms { out.sample("biliup_checks_total", ["platform": p.label], p.counts.calls) }
        out.family("biliup_check_rooms_total", .counter, "Rooms checked, per platform.")
        for p in platforms { out.sample("biliup_check_rooms_total", ["platform": p.label], p.counts.rooms) }
        out.family("biliup_check_errors_total", .counter, "Room checks that failed, per platform.")
        for p in platforms { out.sample("biliup_check_errors_total", ["platform": p.label], p.counts.errors) }
        out.family("biliup_check_duration_seconds", .histogram, "How long check calls take, per platform.")
        for p in platforms {
            var cumulative = 0
            for (bound, n) in zip(CheckCounters.latencyBounds, p.counts.buckets) {
                cumulative += n
                out.sample("biliup_check_duration_seconds_bucket", ["platform": p.label, "le": PrometheusText.format(bound)], cumulative)
            }
            out.sample("biliup_check_duration_seconds_bucket", ["platform": p.label, "le": "+Inf"], p.counts.calls)
            out.sample("biliup_check_duration_seconds_sum", ["platform": p.label], p.counts.latencySum)
            out.sample("biliup_check_duration_seconds_count", ["platform": p.label], p.counts.calls)
        }
        out.single("biliup_watched_rooms", .gauge, "Rooms (streamer URLs) being watched.", Double(m.scheduler.rooms))
        out.single("biliup_checks_in_flight", .gauge, "Rooms whose check is running now.", Double(m.scheduler.inFlight))
        out.single("biliup_checks_waiting", .gauge, "Rooms due for a check but waiting for their platform's request budget.", Double(m.scheduler.queued))
    }

    private static func uploads(_ m: EngineMetrics, into out: inout PrometheusText) {
        out.single("biliup_upload_queue_parts", .gauge, "Files waiting in the upload queue (queued, uploading or held).", Double(m.uploadQueueParts))
        out.single("biliup_upload_queue_bytes", .gauge, "Bytes of the files waiting in the upload queue.", Double(m.uploadQueueBytes))
        out.single("biliup_uploads_running", .gauge, "Files uploading now.", Double(m.uploadsRunning))
        out.single("biliup_uploaded_parts_total", .counter, "Files uploaded since the start.", Double(m.uploaded.parts))
        out.single("biliup_uploaded_bytes_total", .counter, "Bytes of the files uploaded since the start.", Double(m.uploaded.bytes))
    }

    private static func processUsage(_ p: ProcessUsage, into out: inout PrometheusText) {
        out.single("process_cpu_seconds_total", .counter, "User and system CPU time spent, in seconds.", p.cpuSeconds)
        out.single("process_resident_memory_bytes", .gauge, "Resident memory size in bytes.", Double(p.residentBytes))
        out.single("process_virtual_memory_bytes", .gauge, "Virtual memory size in bytes.", Double(p.virtualBytes))
        out.single("process_start_time_seconds", .gauge, "Start time of the process since the unix epoch, in seconds.", p.startTime)
        out.single("process_open_fds", .gauge, "Open file descriptors.", Double(p.openFiles))
        out.single("process_max_fds", .gauge, "Most file descriptors the process may open.", Double(p.maxFiles))
    }
}
