// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "biliup",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "biliup", targets: ["biliup"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev"])]),
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBrotli", pkgConfig: "libbrotlidec", providers: [.apt(["libbrotli-dev"])]),
        // Only the chat stand-ins compress with brotli, as Bilibili's server does.
        .systemLibrary(name: "CBrotliEncoder", path: "Tests/CBrotliEncoder", pkgConfig: "libbrotlienc", providers: [.apt(["libbrotli-dev"])]),

        .target(name: "BiliupValues"),
        .target(name: "BiliupNet", dependencies: ["CCurl", "COpenSSL"]),
        .target(name: "BiliupMedia", dependencies: ["BiliupNet", "CFFmpeg"]),
        .target(name: "BiliupScript", dependencies: ["BiliupNet", "BiliupValues", "CLua", "CCurl", "COpenSSL",
                                                    .product(name: "Subprocess", package: "swift-subprocess")],
                resources: [.copy("Resources/prelude")]),
        .target(name: "BiliupDanmaku", dependencies: ["BiliupNet", "BiliupValues", "CCurl", "CZlib", "CBrotli"]),
        .target(name: "BiliupStore", dependencies: ["BiliupValues", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "BiliupUpload", dependencies: ["BiliupNet", "BiliupStore", "BiliupValues", "CQRencode", "CPNG"]),
        .target(name: "BiliupEngine", dependencies: ["BiliupMedia", "BiliupScript", "BiliupStore", "BiliupNet", "BiliupValues", "BiliupUpload", "BiliupDanmaku",
                                                    // `biliup import` reads biliup's config.toml and config.yaml.
                                                    "TOMLKit", "Yams"]),
        .target(name: "BiliupServer", dependencies: [
            "BiliupEngine", "BiliupStore", "BiliupMedia", "BiliupValues", "BiliupUpload",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
        ], resources: [.copy("Resources/web")],
        // Optimized in debug builds too: the event feed's per-message work is NIO ByteBuffer code inlined
        // here, which unoptimized runs about ten times slower, and the tests push ten million messages.
        swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .executableTarget(name: "biliup", dependencies: [
            "BiliupMedia", "BiliupNet", "BiliupScript", "BiliupStore", "BiliupEngine", "BiliupServer", "BiliupValues", "BiliupUpload", "BiliupDanmaku", "CMalloc",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Local stand-ins for remote services (live sources), shared by tests and benchmarks.
        .target(name: "BiliupTestSupport", dependencies: ["BiliupMedia", "BiliupScript", "BiliupNet", "BiliupValues", "CZlib", "CBrotliEncoder"], path: "Tests/Support"),
        .executableTarget(name: "live-source", dependencies: ["BiliupTestSupport"], path: "Tests/LiveSource"),
        .executableTarget(name: "bilibili-standin", dependencies: ["BiliupTestSupport"], path: "Tests/BilibiliStandIn"),
        .executableTarget(name: "chat-standin", dependencies: ["BiliupTestSupport"], path: "Tests/ChatStandIn"),
        .executableTarget(name: "plugin-bench", dependencies: ["BiliupTestSupport", "BiliupScript", "BiliupNet"], path: "Tests/PluginBench"),
        .executableTarget(name: "danmaku-bench", dependencies: ["BiliupDanmaku", "BiliupNet", "BiliupValues"], path: "Tests/DanmakuBench"),
        .executableTarget(name: "watch-bench", dependencies: ["BiliupTestSupport", "BiliupEngine"], path: "Tests/WatchBench"),
        .testTarget(name: "BiliupNetTests", dependencies: ["BiliupNet", "BiliupTestSupport"]),
        .testTarget(name: "BiliupMediaTests", dependencies: ["BiliupMedia", "BiliupTestSupport"]),
        .testTarget(name: "BiliupScriptTests", dependencies: ["BiliupScript", "BiliupTestSupport"]),
        .testTarget(name: "BiliupUploadTests", dependencies: ["BiliupUpload", "BiliupStore", "BiliupNet", "BiliupValues", "BiliupTestSupport"]),
        .testTarget(name: "BiliupDanmakuTests", dependencies: ["BiliupDanmaku", "BiliupNet", "BiliupValues", "CZlib", "BiliupTestSupport"]),
        .testTarget(name: "BiliupStoreTests", dependencies: ["BiliupStore", "BiliupValues"]),
        .testTarget(name: "BiliupEngineTests", dependencies: ["BiliupEngine", "BiliupDanmaku", "BiliupValues", "BiliupTestSupport"]),
        .testTarget(name: "BiliupServerTests", dependencies: ["BiliupServer", "BiliupEngine", "BiliupStore", "BiliupScript", "BiliupValues", "BiliupTestSupport", "BiliupUpload"]),
        // Runs the built `biliup` binary against local live sources, as a user would.
        .testTarget(name: "BiliupCLITests", dependencies: ["BiliupTestSupport", "BiliupStore", "BiliupValues"]),
    ]
)

// The libFuzzer harness of the danmaku decoders, only in the fuzzing build of scripts/fuzz-danmaku.sh: it needs
// `swift build --sanitize=fuzzer`, whose runtime supplies `main` (a normal build could not link it).
if Context.environment["BILIUP_LIBFUZZER"] == "1" {
    package.targets.append(.executableTarget(name: "danmaku-fuzz", dependencies: ["BiliupDanmaku"], path: "Tests/DanmakuFuzz",
                                             swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}
