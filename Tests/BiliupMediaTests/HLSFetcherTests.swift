import Testing
@testable import BiliupMedia
@testable import BiliupNet

@Suite struct HLSFetcherTests {
    func segment(_ n: Int, map: InitSection? = nil) -> MediaSegment {
        MediaSegment(sequence: n, uri: "http://h/seg\(n).ts", duration: 2, map: map)
    }

    @Test func pacerFollowsRFC8216() {
        let t0 = ContinuousClock.now
        var pacer = HLSReloadPacer(targetDuration: 4, readTimeout: .seconds(5), start: t0)
        #expect(pacer.nextReload(after: t0, broughtNewSegments: true) == t0 + .seconds(4))
        #expect(pacer.nextReload(after: t0, broughtNewSegments: false) == t0 + .seconds(2))
        #expect(pacer.stallLimit == .seconds(12))  // 3 × target duration beats the read timeout
        #expect(pacer.stalled(at: t0 + .seconds(11)) == nil)
        #expect(pacer.stalled(at: t0 + .seconds(12)) == .seconds(12))
        pacer.record(changed: false, at: t0 + .seconds(6))
        #expect(pacer.stalled(at: t0 + .seconds(13)) == .seconds(13))
        pacer.record(changed: true, at: t0 + .seconds(10))
        #expect(pacer.stalled(at: t0 + .seconds(13)) == nil)
        pacer.update(targetDuration: 1)
        #expect(pacer.stallLimit == .seconds(5))  // the read timeout beats 3 × 1 s
        pacer.update(targetDuration: 0)
        #expect(pacer.nextReload(after: t0, broughtNewSegments: false) == t0 + HLSReloadPacer.minimumInterval)
    }

    @Test func prefetchIsBoundedAndInOrder() {
        var f = HLSSegmentFetcher()
        for n in 0..<6 { f.append(.segment(segment(n))) }
        let first = f.startable()
        #expect(first.map(\.url) == ["http://h/seg0.ts", "http://h/seg1.ts", "http://h/seg2.ts"])
        #expect(f.startable().isEmpty)
        #expect(f.popResolved() == nil)  // the front is still downloading
        // The second finishes first: nothing to read yet, but the slot is reused.
        #expect(f.finish(id: first[1].id, .success([1, 2, 3])) == .delivered)
        #expect(f.popResolved() == nil)
        #expect(f.startable().map(\.url) == ["http://h/seg3.ts"])
        #expect(f.finish(id: first[0].id, .success([9])) == .delivered)
        #expect(f.heldBytes == 4)
        guard case .done(let b0)? = f.popResolved()?.state else { Issue.record("seg0 not done"); return }
        #expect(b0 == [9])
        guard case .done(let b1)? = f.popResolved()?.state else { Issue.record("seg1 not done"); return }
        #expect(b1 == [1, 2, 3])
        f.release(4)
        #expect(f.heldBytes == 0)
        #expect(f.queuedSegments == 4)
    }

    @Test func heldBytesStopPrefetch() {
        var f = HLSSegmentFetcher()
        for n in 0..<5 { f.append(.segment(segment(n))) }
        let jobs = f.startable()
        let big = [UInt8](repeating: 0, count: HLSSegmentFetcher.maxHeldBytes)
        _ = f.finish(id: jobs[0].id, .success(big))
        #expect(f.startable().isEmpty)  // one slot is free, but the bytes held are at the limit
        _ = f.popResolved()
        f.release(big.count)
        #expect(f.startable().count == 1)
    }

    @Test func aRetriedFrontIsNotBlockedByBytesHeldBehindIt() {
        var f = HLSSegmentFetcher()
        for n in 0..<3 { f.append(.segment(segment(n))) }
        let jobs = f.startable()
        #expect(f.finish(id: jobs[0].id, .failure(.network(.connect("reset")))) == .retry(after: HLSSegmentFetcher.retryDelays[0]))
        _ = f.finish(id: jobs[1].id, .success([UInt8](repeating: 0, count: HLSSegmentFetcher.maxHeldBytes)))
        f.retryDue(id: jobs[0].id)
        #expect(f.startable().map(\.url) == ["http://h/seg0.ts"])
    }

    @Test func retriesThenGivesUp() {
        var f = HLSSegmentFetcher()
        f.append(.segment(segment(0)))
        let error = MediaError.network(.httpStatus(503, url: "http://h/seg0.ts"))
        for attempt in 1...HLSSegmentFetcher.maxAttempts {
            let job = f.startable()
            #expect(job.count == 1)
            #expect(job.first?.attempt == attempt)
            let outcome = f.finish(id: job[0].id, .failure(error))
            if attempt < HLSSegmentFetcher.maxAttempts {
                #expect(outcome == .retry(after: HLSSegmentFetcher.retryDelays[attempt - 1]))
                #expect(f.startable().isEmpty)  // backing off
                f.retryDue(id: job[0].id)
            } else {
                #expect(outcome == .gaveUp)
            }
        }
        guard case .failed? = f.popResolved()?.state else { Issue.record("not failed"); return }
        #expect(f.isEmpty)
    }

    @Test func initSectionIsFetchedOnce() {
        let map = InitSection(uri: "http://h/init.mp4")
        var f = HLSSegmentFetcher()
        f.append(.initSection(map))
        f.append(.segment(segment(0, map: map)))
        f.append(.boundary("discontinuity"))
        f.append(.initSection(map))
        f.append(.segment(segment(1, map: map)))
        // The repeated section waits for the download of the first one instead of a second download.
        let jobs = f.startable()
        #expect(jobs.map(\.url) == ["http://h/init.mp4", "http://h/seg0.ts", "http://h/seg1.ts"])
        _ = f.finish(id: jobs[0].id, .success([7, 7]))
        #expect(f.startable().isEmpty)
        let repeated = f.items[3]
        guard case .initSection = repeated.kind, case .done(let bytes) = repeated.state else {
            Issue.record("repeated init section not answered from the cache: \(repeated)"); return
        }
        #expect(bytes == [7, 7])
    }

    @Test func sniffsSegmentFormats() throws {
        var ts = [UInt8](repeating: 0xFF, count: 376)
        ts[0] = 0x47; ts[188] = 0x47
        #expect(try HLSSource.sniff(ts, uri: "u") == .mpegts)
        #expect(try HLSSource.sniff([0, 0, 0, 24] + Array("styp".utf8) + [0, 0], uri: "u") == .fmp4)
        #expect(try HLSSource.sniff([0, 0, 0, 24] + Array("moof".utf8), uri: "u") == .fmp4)
        #expect(throws: MediaError.self) { try HLSSource.sniff(Array("ID3".utf8) + [4, 0, 0, 0], uri: "u") }
        do {
            _ = try HLSSource.sniff(Array("<html>".utf8), uri: "http://h/seg0.ts")
            Issue.record("HTML accepted as a segment")
        } catch {
            #expect(error.description == "not a media stream: HLS segment http://h/seg0.ts is neither MPEG-TS nor fMP4 (6 bytes)")
        }
    }

    @Test func segmentBodyHonoursRanges() throws {
        let range = ByteRange(offset: 2, length: 3)
        let whole: [UInt8] = [0, 1, 2, 3, 4, 5, 6]
        #expect(try HLSSource.segmentBody(.success(.init(status: 206, headers: [:], body: [2, 3, 4], effectiveURL: "u")), range: range).get() == [2, 3, 4])
        #expect(try HLSSource.segmentBody(.success(.init(status: 200, headers: [:], body: whole, effectiveURL: "u")), range: range).get() == [2, 3, 4])
        #expect(throws: MediaError.self) {
            try HLSSource.segmentBody(.success(.init(status: 200, headers: [:], body: [0, 1], effectiveURL: "u")), range: range).get()
        }
        #expect(throws: MediaError.self) {
            try HLSSource.segmentBody(.success(.init(status: 503, headers: [:], body: [], effectiveURL: "u")), range: nil).get()
        }
        #expect(throws: MediaError.self) {
            try HLSSource.segmentBody(.success(.init(status: 200, headers: [:], body: [], effectiveURL: "u")), range: nil).get()
        }
    }
}
