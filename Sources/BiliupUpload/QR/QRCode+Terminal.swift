extension QRCode {
    /// Light modules around the symbol in `terminalText`. The standard asks for 4; phone scanners read 2
    /// reliably, and 2 keeps a login code (version 6, 41 modules) within 24 lines.
    static let terminalQuietZone = 2

    /// The code as Unicode half blocks, two module rows per line, with a light quiet zone, for a terminal.
    ///
    /// Light modules are drawn as blocks (in the text colour) and dark ones as spaces (the background).
    /// Terminals default to light text on a dark background, where this gives the dark-on-light code
    /// scanners expect; on a light-background terminal it shows inverted, which most phone scanners (the
    /// Bilibili app's included) also read. ANSI colours would fix both cases but not a log or a pipe.
    public var terminalText: String {
        let q = QRCode.terminalQuietZone
        let span = -q ..< size + q
        var lines: [String] = []
        for top in stride(from: -q, to: size + q, by: 2) {
            var line = ""
            for x in span {
                // Past the last row (an odd count) is the terminal's background: dark.
                let topLight = isLight(x, top)
                let bottomLight = top + 1 < size + q && isLight(x, top + 1)
                switch (topLight, bottomLight) {
                case (true, true): line.append("█")
                case (true, false): line.append("▀")
                case (false, true): line.append("▄")
                case (false, false): line.append(" ")
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Light, with everything outside the symbol (the quiet zone) light.
    private func isLight(_ x: Int, _ y: Int) -> Bool {
        !((0..<size).contains(x) && (0..<size).contains(y) && self[x, y])
    }
}
