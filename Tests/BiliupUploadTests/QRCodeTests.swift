import BiliupTestSupport
import BiliupUpload
import Foundation
import Testing

@Suite struct QRCodeTests {
    /// Lowercase text has no numeric or alphanumeric runs worth switching to, so it is byte data, and the
    /// version follows the standard's byte capacities at level M: 62 bytes fit version 4, 63 need version 5.
    @Test func sizeFollowsTheByteCapacityAtLevelM() throws {
        let fits = "https://passport.bilibili.com/x/passport-tv-login/h5/qrcode/au"
        #expect(fits.utf8.count == 62)
        #expect(try QRCode(encoding: fits).size == 33)
        #expect(try QRCode(encoding: fits + "t").size == 37)
    }

    @Test func finderPatternsSitInThreeCornersWithTimingBetween() throws {
        let code = try QRCode(encoding: "https://passport.bilibili.com/x/passport-tv-login/h5/qrcode/auth?auth_code=abcdef")
        let n = code.size
        for (cx, cy) in [(0, 0), (n - 7, 0), (0, n - 7)] {
            for dy in 0..<7 {
                for dx in 0..<7 {
                    // Dark outer ring, light ring, dark 3×3 centre.
                    let ring = max(abs(dx - 3), abs(dy - 3))
                    #expect(code[cx + dx, cy + dy] == (ring != 2), "finder at (\(cx), \(cy)), module (\(dx), \(dy))")
                }
            }
        }
        // The fourth corner has no finder: its 7×7 is data, not one solid ring.
        #expect((0..<7).contains { !code[n - 7 + $0, n - 7] } || (0..<7).contains { !code[n - 7, n - 7 + $0] })
        for i in 8..<(n - 8) {
            #expect(code[i, 6] == (i % 2 == 0), "timing row at \(i)")
            #expect(code[6, i] == (i % 2 == 0), "timing column at \(i)")
        }
    }

    @Test func emptyOrOversizedTextIsRefused() {
        #expect(throws: UploadError.self) { try QRCode(encoding: "") }
        do {
            _ = try QRCode(encoding: String(repeating: "x", count: 3000))
            Issue.record("3000 bytes encoded")
        } catch {
            #expect(error.kind == .invalidInput)
            #expect(error.message.contains("3000 bytes"))
        }
    }

    @Test func terminalTextDrawsLightModulesAsBlocksTwoRowsALine() throws {
        let code = try QRCode(encoding: "https://example.com/qr")
        let lines = code.terminalText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let rows = code.size + 4  // a quiet zone of 2 on each side
        #expect(lines.count == (rows + 1) / 2)
        #expect(lines.allSatisfy { $0.count == rows })
        #expect(lines.allSatisfy { $0.allSatisfy { "▀▄█ ".contains($0) } })
        #expect(lines[0].allSatisfy { $0 == "█" })  // two quiet-zone rows

        // Decode the half blocks back into modules: a block half is light.
        for y in 0..<code.size {
            let line = Array(lines[(y + 2) / 2])
            for x in 0..<code.size {
                let cell = line[x + 2]
                let light = (y + 2) % 2 == 0 ? (cell == "█" || cell == "▀") : (cell == "█" || cell == "▄")
                #expect(light == !code[x, y], "module (\(x), \(y))")
            }
        }
    }

    @Test func pngDecodesToTheModulesScaledWithAFourModuleQuietZone() throws {
        let code = try QRCode(encoding: "https://passport.bilibili.com/x/passport-tv-login/h5/qrcode/auth?auth_code=0123")
        let scale = 3
        let png = code.png(scale: scale)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = dir.appendingPathComponent("code.png")
        let raw = dir.appendingPathComponent("code.gray")
        try Data(png).write(to: image)

        let probe = try runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,pix_fmt",
                                            "-of", "csv=p=0", image.path])
        let side = (code.size + 8) * scale
        #expect(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(side),\(side),gray")
        let decode = try runTool("ffmpeg", ["-v", "error", "-i", image.path, "-f", "rawvideo", "-pix_fmt", "gray", raw.path])
        #expect(decode.status == 0, "\(decode.stderr)")
        let pixels = [UInt8](try Data(contentsOf: raw))
        #expect(pixels.count == side * side)

        var expected = [UInt8](repeating: 255, count: side * side)
        for py in 0..<side {
            for px in 0..<side {
                let (x, y) = (px / scale - 4, py / scale - 4)
                if (0..<code.size).contains(x), (0..<code.size).contains(y), code[x, y] { expected[py * side + px] = 0 }
            }
        }
        #expect(pixels == expected)
    }
}
