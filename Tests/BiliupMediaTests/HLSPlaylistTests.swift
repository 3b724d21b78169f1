import Foundation
import Testing
@testable import BiliupMedia

@Suite struct HLSPlaylistTests {
    static let base = "https://cdn.example.com/live/room1/index.m3u8?token=abc&expires=99"

    func media(_ text: String, base: String = HLSPlaylistTests.base) throws -> MediaPlaylist {
        guard case .media(let m) = try Playlist.parse(text, baseURL: base) else {
            Issue.record("expected a media playlist")
            throw MediaError.invalidPlaylist("not media")
        }
        return m
    }

    func master(_ text: String, base: String = HLSPlaylistTests.base) throws -> MasterPlaylist {
        guard case .master(let m) = try Playlist.parse(text, baseURL: base) else {
            Issue.record("expected a master playlist")
            throw MediaError.invalidPlaylist("not master")
        }
        return m
    }

    func parseError(_ text: String) -> String? {
        do {
            _ = try Playlist.parse(text, baseURL: HLSPlaylistTests.base)
            return nil
        } catch .invalidPlaylist(let m) {
            return m
        } catch {
            return "other error: \(error)"
        }
    }

    // MARK: media playlists

    @Test func basicLivePlaylist() throws {
        let m = try media("""
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-TARGETDURATION:4
            #EXT-X-MEDIA-SEQUENCE:120
            #EXTINF:4.000,
            seg120.ts
            #EXTINF:3.96,some title
            seg121.ts
            """)
        #expect(m.targetDuration == 4)
        #expect(m.mediaSequence == 120)
        #expect(m.discontinuitySequence == 0)
        #expect(!m.endList)
        #expect(m.playlistType == nil)
        #expect(!m.isComplete)
        #expect(m.segments.count == 2)
        #expect(m.segments[0] == MediaSegment(sequence: 120, uri: "https://cdn.example.com/live/room1/seg120.ts", duration: 4))
        #expect(m.segments[1].sequence == 121)
        #expect(m.segments[1].duration == 3.96)
        #expect(m.segments[1].title == "some title")
        #expect(m.lastSequence == 121)
    }

    @Test func endListAndTypes() throws {
        let vod = try media("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:10,\na.ts\n#EXT-X-ENDLIST\n")
        #expect(vod.endList)
        #expect(vod.playlistType == .vod)
        #expect(vod.isComplete)
        let event = try media("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXTINF:10,\na.ts\n")
        #expect(event.playlistType == .event)
        #expect(!event.isComplete)
        let vodNoEnd = try media("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:10,\na.ts\n")
        #expect(vodNoEnd.isComplete)
        // A live playlist may be empty while the stream starts.
        let empty = try media("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n")
        #expect(empty.segments.isEmpty)
        #expect(empty.lastSequence == 6)
    }

    @Test func uriResolution() throws {
        let m = try media("""
            #EXTM3U
            #EXT-X-TARGETDURATION:2
            #EXTINF:2,
            relative/a.ts?x=1&y=2
            #EXTINF:2,
            /root/b.ts
            #EXTINF:2,
            https://other.example.org/c.ts?sig=%2Fq%3D
            #EXTINF:2,
            //edge.example.net/d.ts
            #EXTINF:2,
            ../up/e.ts
            #EXTINF:2,
            ./f.ts
            #EXTINF:2,
              g.ts  
            """)
        #expect(m.segments.map(\.uri) == [
            "https://cdn.example.com/live/room1/relative/a.ts?x=1&y=2",
            "https://cdn.example.com/root/b.ts",
            "https://other.example.org/c.ts?sig=%2Fq%3D",
            "https://edge.example.net/d.ts",
            "https://cdn.example.com/live/up/e.ts",
            "https://cdn.example.com/live/room1/f.ts",
            "https://cdn.example.com/live/room1/g.ts",
        ])
    }

    @Test func urlResolverEdgeCases() {
        #expect(PlaylistURL.resolve("a.ts", against: "http://h:8080") == "http://h:8080/a.ts")
        #expect(PlaylistURL.resolve("a.ts", against: "http://h:8080/x/y.m3u8#frag") == "http://h:8080/x/a.ts")
        #expect(PlaylistURL.resolve("?q=2", against: "http://h/x/y.m3u8?q=1") == "http://h/x/y.m3u8?q=2")
        #expect(PlaylistURL.resolve("../../../a.ts", against: "http://h/x/y.m3u8") == "http://h/a.ts")
        #expect(PlaylistURL.resolve("b/../c/./d.ts", against: "http://h/x/y.m3u8") == "http://h/x/c/d.ts")
        #expect(PlaylistURL.resolve("a.ts?u=http://z/../k", against: "http://h/x/y.m3u8") == "http://h/x/a.ts?u=http://z/../k")
        #expect(PlaylistURL.resolve("HTTPS://A/b", against: "http://h/") == "HTTPS://A/b")
    }

    @Test func discontinuities() throws {
        let m = try media("""
            #EXTM3U
            #EXT-X-TARGETDURATION:2
            #EXT-X-MEDIA-SEQUENCE:10
            #EXT-X-DISCONTINUITY-SEQUENCE:3
            #EXTINF:2,
            a.ts
            #EXT-X-DISCONTINUITY
            #EXTINF:2,
            b.ts
            #EXTINF:2,
            c.ts
            #EXT-X-DISCONTINUITY
            #EXTINF:2,
            d.ts
            """)
        #expect(m.discontinuitySequence == 3)
        #expect(m.segments.map(\.discontinuity) == [false, true, false, true])
        #expect(m.segments.map(\.discontinuityNumber) == [3, 4, 4, 5])
        #expect(m.segments.map(\.sequence) == [10, 11, 12, 13])
    }

    @Test func byteRanges() throws {
        let m = try media("""
            #EXTM3U
            #EXT-X-TARGETDURATION:2
            #EXT-X-VERSION:4
            #EXTINF:2,
            #EXT-X-BYTERANGE:1000@0
            all.ts
            #EXT-X-BYTERANGE:500
            #EXTINF:2,
            all.ts
            #EXTINF:2,
            #EXT-X-BYTERANGE:700
            all.ts
            #EXTINF:2,
            #EXT-X-BYTERANGE:100@5000
            other.ts
            #EXTINF:2,
            plain.ts
            """)
        #expect(m.segments.map(\.byteRange) == [
            ByteRange(offset: 0, length: 1000), ByteRange(offset: 1000, length: 500),
            ByteRange(offset: 1500, length: 700), ByteRange(offset: 5000, length: 100), nil,
        ])
        #expect(ByteRange(offset: 1000, length: 500).httpRange == "bytes=1000-1499")
    }

    @Test func mapInEffect() throws {
        let m = try media("""
            #EXTM3U
            #EXT-X-TARGETDURATION:2
            #EXT-X-MAP:URI="init1.mp4",BYTERANGE="720@0"
            #EXTINF:2,
            s1.m4s
            #EXTINF:2,
            s2.m4s
            #EXT-X-MAP:URI="init2.mp4"
            #EXTINF:2,
            s3.m4s
            """)
        let first = InitSection(uri: "https://cdn.example.com/live/room1/init1.mp4", byteRange: ByteRange(offset: 0, length: 720))
        #expect(m.segments[0].map == first)
        #expect(m.segments[1].map == first)
        #expect(m.segments[2].map == InitSection(uri: "https://cdn.example.com/live/room1/init2.mp4"))
    }

    @Test func programDateTime() throws {
        let m = try media("""
            #EXTM3U
            #EXT-X-TARGETDURATION:2
            #EXT-X-PROGRAM-DATE-TIME:2024-03-01T12:30:45.250Z
            #EXTINF:2,
            a.ts
            #EXTINF:2,
            b.ts
            #EXT-X-PROGRAM-DATE-TIME:2024-03-01T20:30:49+08:00
            #EXTINF:2,
            c.ts
            #EXT-X-PROGRAM-DATE-TIME:not a date
            #EXTINF:2,
            d.ts
            """)
        #expect(m.segments[0].programDateTime == Date(timeIntervalSince1970: 1_709_296_245.25))
        #expect(m.segments[1].programDateTime == nil)
        #expect(m.segments[2].programDateTime == Date(timeIntervalSince1970: 1_709_296_249))
        #expect(m.segments[3].programDateTime == nil)  // unreadable dates are ignored, not fatal
        #expect(ISO8601Time.parse("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
        #expect(ISO8601Time.parse("2000-02-29T00:00:00.5-0130") == Date(timeIntervalSince1970: 951_782_400.5 + 5400))
        #expect(ISO8601Time.parse("2000-02-29") == nil)
    }

    @Test func gapAndUnknownTags() throws {
        let m = try media("""
            #EXTM3U
            #EXT-X-TARGETDURATION:2
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.0
            # a plain comment
            #EXT-X-GAP
            #EXTINF:2,
            a.ts
            #EXT-X-PART:DURATION=0.5,URI="a.part1.ts"
            #EXTINF:2,
            b.ts
            #EXT-X-PRELOAD-HINT:TYPE=PART,URI="c.part1.ts"
            """)
        #expect(m.segments.map(\.isGap) == [true, false])
        #expect(m.segments.count == 2)
    }

    @Test func keys() throws {
        _ = try media("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:2,\na.ts\n")
        do {
            _ = try Playlist.parse("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI=\"https://k/key\",IV=0x0123\n#EXTINF:2,\na.ts\n",
                                   baseURL: HLSPlaylistTests.base)
            Issue.record("encrypted playlist accepted")
        } catch .unsupported(let m) {
            #expect(m == "encrypted HLS (METHOD=AES-128)")
        } catch {
            Issue.record("unexpected \(error)")
        }
        do {
            _ = try Playlist.parse("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://x\"\n#EXTINF:2,\na.ts\n",
                                   baseURL: HLSPlaylistTests.base)
            Issue.record("encrypted playlist accepted")
        } catch .unsupported(let m) {
            #expect(m == "encrypted HLS (METHOD=SAMPLE-AES)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    // MARK: malformed

    @Test func malformedNamesTheLine() {
        #expect(parseError("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:abc\n#EXTINF:2,\na.ts\n")
                == "line 3: EXT-X-TARGETDURATION: \"abc\" is not a number")
        #expect(parseError("#EXTM3U\r\n#EXT-X-TARGETDURATION:2\r\n#EXTINF:two,\r\na.ts\r\n")
                == "line 3: EXTINF: \"two\" is not a number")
        #expect(parseError("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:-4\n")
                == "line 3: EXT-X-MEDIA-SEQUENCE: \"-4\" is not a number")
        #expect(parseError("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXTINF:2,\nb.ts\n")
                == "line 3: #EXTINF without a segment URI")
        #expect(parseError("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n#EXTINF:2,\n")
                == "line 5: #EXTINF without a segment URI")
        #expect(parseError("#EXTM3U\n#EXT-X-TARGETDURATION:2\nb.ts\n")
                == "line 3: segment URI \"b.ts\" without #EXTINF")
        #expect(parseError("#EXTM3U\n#EXTINF:2,\na.ts\n") == "media playlist without EXT-X-TARGETDURATION")
        #expect(parseError("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:LIVE\n")
                == "line 3: EXT-X-PLAYLIST-TYPE: \"LIVE\" is not VOD or EVENT")
        #expect(parseError("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-BYTERANGE:x@1\n#EXTINF:2,\na.ts\n")
                == "line 3: EXT-X-BYTERANGE: \"x@1\" is not LENGTH[@OFFSET]")
        #expect(parseError("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:BYTERANGE=\"1@0\"\n")
                == "line 3: EXT-X-MAP without URI")
        #expect(parseError("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\n")
                == "line 3: EXT-X-MAP: URI has an unterminated quoted string")
        #expect(parseError("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=abc\nv.m3u8\n")
                == "line 2: EXT-X-STREAM-INF: BANDWIDTH: \"abc\" is not a number")
        #expect(parseError("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=big\nv.m3u8\n")
                == "line 2: EXT-X-STREAM-INF: RESOLUTION \"big\" is not WIDTHxHEIGHT")
        #expect(parseError("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-STREAM-INF:BANDWIDTH=2\nv.m3u8\n")
                == "line 2: EXT-X-STREAM-INF without a URI line")
        #expect(parseError("#EXTM3U\n\n#EXT-X-STREAM-INF:BANDWIDTH=1\n")
                == "line 3: EXT-X-STREAM-INF without a URI line")
    }

    @Test func notAPlaylist() {
        #expect(parseError("<html>\n<head><title>404 Not Found</title></head>\n")
                == "not an M3U8 playlist (49 bytes without #EXTM3U)")
        #expect(parseError("  \n<!DOCTYPE html><html><body>blocked in your region, sorry, very long text here</body>")
                == "not an M3U8 playlist (87 bytes without #EXTM3U)")
        #expect(parseError("") == "not an M3U8 playlist (the body is empty)")
        #expect(parseError("{\"code\":-403,\"message\":\"forbidden\"}")
                == "not an M3U8 playlist (35 bytes without #EXTM3U)")
        // A byte-order mark and leading blank lines are tolerated.
        #expect(parseError("\u{FEFF}\n#EXTM3U\n#EXT-X-TARGETDURATION:2\n") == nil)
    }

    // MARK: master playlists

    @Test func masterVariants() throws {
        let m = try master("""
            #EXTM3U
            #EXT-X-VERSION:4
            #EXT-X-STREAM-INF:BANDWIDTH=1280000,AVERAGE-BANDWIDTH=1000000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"
            low/index.m3u8
            #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=9000000,RESOLUTION=1920x1080,URI="iframe.m3u8"
            #EXT-X-STREAM-INF:BANDWIDTH=5000000,RESOLUTION=1920x1080,CODECS="avc1.640028,mp4a.40.2",FRAME-RATE=29.970
            /abs/high.m3u8?sig=1
            #EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720
            https://other.example.com/mid.m3u8
            """)
        #expect(m.variants.count == 3)
        #expect(m.variants[0] == Variant(uri: "https://cdn.example.com/live/room1/low/index.m3u8", bandwidth: 1_280_000,
                                         averageBandwidth: 1_000_000, resolution: Resolution(width: 640, height: 360),
                                         codecs: "avc1.4d401e,mp4a.40.2"))
        #expect(m.variants[1].uri == "https://cdn.example.com/abs/high.m3u8?sig=1")
        #expect(m.variants[1].frameRate == 29.97)
        #expect(m.best?.uri == "https://cdn.example.com/abs/high.m3u8?sig=1")
    }

    @Test func bestPrefersVideoOverAudioOnly() throws {
        let m = try master("""
            #EXTM3U
            #EXT-X-STREAM-INF:BANDWIDTH=3000000,CODECS="mp4a.40.2"
            audio.m3u8
            #EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360
            small.m3u8
            """)
        #expect(m.best?.uri.hasSuffix("small.m3u8") == true)
        let audioOnly = try master("""
            #EXTM3U
            #EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS="mp4a.40.5"
            a64.m3u8
            #EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS="mp4a.40.2"
            a128.m3u8
            """)
        #expect(audioOnly.best?.uri.hasSuffix("a128.m3u8") == true)
        #expect(MasterPlaylist(variants: []).best == nil)
    }

    // MARK: real-world shapes

    @Test func twitchMaster() throws {
        let m = try master("""
            #EXTM3U
            #EXT-X-TWITCH-INFO:NODE="video-edge-c2a1b4.ord02",MANIFEST-NODE-TYPE="weaver_cluster",MANIFEST-NODE="video-weaver.ord02",SUPPRESS="false",SERVER-TIME="1700000000.00",TRANSCODESTACK="2023-Transcode-QS-V1",USER-IP="203.0.113.5",SERVING-ID="4f1b",CLUSTER="ord02",ABS="false",VIDEO-SESSION-ID="123",BROADCAST-ID="456",STREAM-TIME="6083.0",B="false",USER-COUNTRY="US",MANIFEST-CLUSTER="ord02",ORIGIN="pdx05",C="aHR0cHM6",D="false"
            #EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="chunked",NAME="1080p60 (source)",AUTOSELECT=YES,DEFAULT=YES
            #EXT-X-STREAM-INF:BANDWIDTH=8534030,RESOLUTION=1920x1080,CODECS="avc1.64002A,mp4a.40.2",VIDEO="chunked",FRAME-RATE=60.000
            https://video-weaver.ord02.hls.ttvnw.net/v1/playlist/CpkFq0.m3u8
            #EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="720p60",NAME="720p60",AUTOSELECT=YES,DEFAULT=YES
            #EXT-X-STREAM-INF:BANDWIDTH=3422999,RESOLUTION=1280x720,CODECS="avc1.4D401F,mp4a.40.2",VIDEO="720p60",FRAME-RATE=60.000
            https://video-weaver.ord02.hls.ttvnw.net/v1/playlist/Cp8Fk1.m3u8
            #EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="160p30",NAME="160p",AUTOSELECT=YES,DEFAULT=YES
            #EXT-X-STREAM-INF:BANDWIDTH=230000,RESOLUTION=284x160,CODECS="avc1.4D401F,mp4a.40.2",VIDEO="160p30",FRAME-RATE=30.000
            https://video-weaver.ord02.hls.ttvnw.net/v1/playlist/Cp8Fa9.m3u8
            #EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="audio_only",NAME="audio_only",AUTOSELECT=NO,DEFAULT=NO
            #EXT-X-STREAM-INF:BANDWIDTH=160000,CODECS="mp4a.40.2",VIDEO="audio_only"
            https://video-weaver.ord02.hls.ttvnw.net/v1/playlist/CpUFau.m3u8
            """, base: "https://usher.ttvnw.net/api/channel/hls/somechannel.m3u8?allow_source=true&sig=0f&token=%7B%7D")
        #expect(m.variants.count == 4)
        #expect(m.variants[3].resolution == nil)
        #expect(m.variants[3].codecs == "mp4a.40.2")
        #expect(m.best?.uri == "https://video-weaver.ord02.hls.ttvnw.net/v1/playlist/CpkFq0.m3u8")
        #expect(m.best?.frameRate == 60)
    }

    @Test func twitchMedia() throws {
        let m = try media("""
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-TARGETDURATION:6
            #EXT-X-MEDIA-SEQUENCE:3042
            #EXT-X-TWITCH-LIVE-SEQUENCE:3055
            #EXT-X-TWITCH-ELAPSED-SECS:6083.000
            #EXT-X-TWITCH-TOTAL-SECS:6097.000
            #EXT-X-DATERANGE:ID="source-1700000000",CLASS="twitch-stream-source",START-DATE="2023-11-14T22:13:20.000Z",END-ON-NEXT=YES,X-TV-TWITCH-STREAM-SOURCE="live"
            #EXT-X-DATERANGE:ID="trigger-1700000000",CLASS="twitch-trigger",START-DATE="2023-11-14T22:13:20.000Z",END-ON-NEXT=YES,X-TV-TWITCH-TRIGGER-URL="https://video-weaver.ord02.hls.ttvnw.net/trigger/Cs"
            #EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:20.000Z
            #EXTINF:2.000,live
            https://video-edge-c2a1b4.ord02.abs.hls.ttvnw.net/v1/segment/CqQE1.ts
            #EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:22.000Z
            #EXTINF:2.000,live
            https://video-edge-c2a1b4.ord02.abs.hls.ttvnw.net/v1/segment/CqQE2.ts
            #EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:24.000Z
            #EXTINF:1.967,live
            https://video-edge-c2a1b4.ord02.abs.hls.ttvnw.net/v1/segment/CqQE3.ts
            #EXT-X-TWITCH-PREFETCH:https://video-edge-c2a1b4.ord02.abs.hls.ttvnw.net/v1/segment/CqQE4.ts
            #EXT-X-TWITCH-PREFETCH:https://video-edge-c2a1b4.ord02.abs.hls.ttvnw.net/v1/segment/CqQE5.ts
            """, base: "https://video-weaver.ord02.hls.ttvnw.net/v1/playlist/CpkFq0.m3u8")
        #expect(m.targetDuration == 6)
        #expect(m.segments.map(\.sequence) == [3042, 3043, 3044])
        #expect(m.segments.allSatisfy { $0.title == "live" })
        #expect(m.segments[2].duration == 1.967)
        #expect(m.segments[2].uri == "https://video-edge-c2a1b4.ord02.abs.hls.ttvnw.net/v1/segment/CqQE3.ts")
        #expect(m.segments[0].programDateTime == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(m.segments[2].programDateTime == Date(timeIntervalSince1970: 1_700_000_004))
    }

    @Test func bilibiliFMP4() throws {
        let base = "https://cn-gddg-ct-01-09.bilivideo.com/live-bvc/771385/live_50329118_9516950_bluray/index.m3u8?expires=1700003600&len=0&oi=0x2408&pt=h5&qn=10000&trid=1007a1b2c3&sigparams=cdn,expires,len,oi,pt,qn,trid&cdn=cn-gotcha01&sign=9d1c5e&sk=4207df&p2p_type=1&sl=1&free_type=0&mid=0&pp=rtmp&source=onetier&trace=0&site=0c5f&info_source=origin"
        let m = try media("""
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-START:TIME-OFFSET=-3
            #EXT-X-MEDIA-SEQUENCE:45123
            #EXT-X-TARGETDURATION:1
            #EXT-X-MAP:URI="h1700000000.m4s"
            #EXTINF:1.00,8a2b3|f4d30f1e
            45123.m4s?trid=1007a1b2c3&xy_usource=cn-gotcha01
            #EXTINF:1.00,8a2b4|77a93c10
            45124.m4s?trid=1007a1b2c3&xy_usource=cn-gotcha01
            #EXTINF:0.98,8a2b5|1c0e9d2b
            45125.m4s?trid=1007a1b2c3&xy_usource=cn-gotcha01
            """, base: base)
        let dir = "https://cn-gddg-ct-01-09.bilivideo.com/live-bvc/771385/live_50329118_9516950_bluray/"
        #expect(m.targetDuration == 1)
        #expect(m.segments.count == 3)
        #expect(m.segments.allSatisfy { $0.map == InitSection(uri: dir + "h1700000000.m4s") })
        #expect(m.segments[0].uri == dir + "45123.m4s?trid=1007a1b2c3&xy_usource=cn-gotcha01")
        #expect(m.segments[0].title == "8a2b3|f4d30f1e")
        #expect(m.segments.map(\.sequence) == [45123, 45124, 45125])
    }
}
