/// Which UPOS line (upload CDN) a file goes through: `auto` probes the lines Bilibili offers and takes
/// the fastest; a named line sends its preupload query as is (reference/biliup.md §4.1).
public struct UploadLine: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    /// What preupload is asked with, before `&name=...&r=upos...`; empty for `auto`.
    public let query: String
    /// `//host/OK`, timed when probing; empty for `auto`.
    public let probeURL: String

    public init(name: String, query: String, probeURL: String) {
        self.name = name
        self.query = query
        self.probeURL = probeURL
    }

    public var isAuto: Bool { self == .auto }
    public var description: String { name }

    public static let auto = UploadLine(name: "auto", query: "", probeURL: "")

    /// What a probe that fails falls back to (biliup's default line in the CLI).
    public static let bda2 = upcdn("bda2", probe: "//upos-cs-upcdnbda2.bilivideo.com/OK")

    /// Every named line: Bilibili's own CDNs (.com), their mainland (.cn) and overseas (anitama) faces.
    public static let named: [UploadLine] = [
        bda2,
        upcdn("bda", probe: "//upos-cs-upcdnbda.bilivideo.com/OK"),
        UploadLine(name: "bldsa", query: "zone=cs&upcdn=bldsa&probe_version=20221109",
                   probeURL: "//upos-cs-upcdnbldsa.bilivideo.com/OK"),
        UploadLine(name: "cnbldsa", query: "zone=cs&upcdn=cnbldsa&probe_version=20221109",
                   probeURL: "//upos-cs-upcdnbldsa.bilivideo.cn/OK"),
        upcdn("andsa", probe: "//c3350892csdsa.anitama.cn/OK"),
        upcdn("atdsa", probe: "//c3350892csdsa.anitama.net/OK"),
        upcdn("tx", probe: "//upos-cs-upcdntx.bilivideo.com/OK"),
        upcdn("txa", probe: "//upos-cs-upcdntxa.bilivideo.com/OK"),
        upcdn("cntx", probe: "//upos-cs-upcdntx.bilivideo.cn/OK"),
        upcdn("antx", probe: "//c3350892cstx.anitama.cn/OK"),
        upcdn("attx", probe: "//c3350892cstx.anitama.net/OK"),
        upcdn("alia", probe: "//upos-cs-upcdnalia.bilivideo.com/OK"),
        upcdn("cnbd", probe: "//upos-cs-upcdnbd.bilivideo.cn/OK"),
        upcdn("anbd", probe: "//c3350892csbd.anitama.cn/OK"),
        upcdn("atbd", probe: "//c3350892csbd.anitama.net/OK"),
        UploadLine(name: "estx", query: "upcdn=estx&zone=cs&probe_version=20250923",
                   probeURL: "//e17962d5cstx.esheep.com/OK"),
        UploadLine(name: "akbd", query: "upcdn=akbd&zone=cs&probe_version=20250923",
                   probeURL: "//bb27c891csbd.aikobo.cn/OK"),
    ]

    /// `auto` or a named line, by the name `--line` and templates use (any case); nil for an unknown name.
    public init?(named name: String) {
        let name = name.lowercased()
        if name == Self.auto.name {
            self = .auto
            return
        }
        guard let line = Self.named.first(where: { $0.name == name }) else { return nil }
        self = line
    }

    /// The names `--line` accepts, for help texts and did-you-mean.
    public static var names: [String] { [auto.name] + named.map(\.name) }

    private static func upcdn(_ name: String, probe: String) -> UploadLine {
        UploadLine(name: name, query: "upcdn=\(name)&probe_version=20221109", probeURL: probe)
    }
}
