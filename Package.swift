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
    ],
    targets: [
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev"])]),
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        .target(name: "BiliupNet", dependencies: ["CCurl"]),
        .target(name: "BiliupMedia", dependencies: ["BiliupNet", "CFFmpeg"]),
        .target(name: "BiliupScript", dependencies: ["BiliupNet", "CLua"]),
        .executableTarget(name: "biliup", dependencies: [
            "BiliupMedia", "BiliupNet", "BiliupScript",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Local stand-ins for remote services (live sources), shared by tests and benchmarks.
        .target(name: "BiliupTestSupport", dependencies: ["BiliupMedia", "BiliupScript"], path: "Tests/Support"),
        .executableTarget(name: "live-source", dependencies: ["BiliupTestSupport"], path: "Tests/LiveSource"),
        .executableTarget(name: "plugin-bench", dependencies: ["BiliupTestSupport", "BiliupScript", "BiliupNet"], path: "Tests/PluginBench"),
        .testTarget(name: "BiliupNetTests", dependencies: ["BiliupNet", "BiliupTestSupport"]),
        .testTarget(name: "BiliupMediaTests", dependencies: ["BiliupMedia", "BiliupTestSupport"]),
        .testTarget(name: "BiliupScriptTests", dependencies: ["BiliupScript", "BiliupTestSupport"]),
        // Runs the built `biliup` binary against local live sources, as a user would.
        .testTarget(name: "BiliupCLITests", dependencies: ["BiliupTestSupport"]),
    ]
)
