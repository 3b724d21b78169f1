import BiliupTestSupport
import Foundation
import Testing

/// `biliup check` with a URL of a known platform that names no live room: the shipped plugin refuses it,
/// the message says which plugin, why and for which URL, and nothing reaches the platform (every host of
/// the URL's domain is sent to a trap that counts connections).
@Suite struct CheckRefusalTests {
    @Test func aCategoryPageIsRefusedWithoutARequest() async throws {
        let trap = try ConnectionTrap()
        let run = try await BiliupProcess.run(["check", "--plugin-dir", PluginPaths.shipped,
                                               "--host-remap", "*.com=http://127.0.0.1:\(trap.port)", "www.huya.com/g/lol"])
        #expect(run.status == 1)
        #expect(run.stderr == "biliup: huya: not a live room URL (a category page): https://www.huya.com/g/lol\n")
        #expect(run.stdout.isEmpty)
        #expect(trap.connections == 0)
    }
}
