import CQRencode
import Foundation

/// A QR code symbol (the TV login URL a phone scans), encoded by libqrencode: a square of dark and light modules.
public struct QRCode: Sendable {
    /// Modules per side (21 for version 1, 4 more per version).
    public let size: Int
    /// Row-major, `true` = dark.
    private let dark: [Bool]

    /// Encodes `text` as byte data (mixed with numeric/alphanumeric runs where shorter), case kept, at error
    /// correction level M (15%: survives a screen glare or a cropped edge), in the smallest version it fits.
    public init(encoding text: String) throws(UploadError) {
        guard !text.isEmpty else { throw UploadError(.invalidInput, "QR code", "nothing to encode") }
        guard let symbol = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            let reason = errno == ERANGE ? "\(text.utf8.count) bytes is more than a QR code holds at level M (2331)"
                : String(cString: strerror(errno))
            throw UploadError(.invalidInput, "QR code", reason)
        }
        defer { QRcode_free(symbol) }
        size = Int(symbol.pointee.width)
        // libqrencode's byte per module also records its function (finder, timing, ...) in higher bits.
        let modules = UnsafeBufferPointer(start: symbol.pointee.data, count: size * size)
        dark = modules.map { $0 & 1 == 1 }
    }

    /// Whether the module in column `x`, row `y` (0 ..< size, from the top left) is dark.
    public subscript(x: Int, y: Int) -> Bool {
        precondition((0..<size).contains(x) && (0..<size).contains(y), "module (\(x), \(y)) outside a \(size)×\(size) QR code")
        return dark[y * size + x]
    }
}
