import Foundation

/// AMF0 encoding of an `onMetaData` script tag body: the name, then an ECMA array of numbers.
enum FlvScriptData {
    private static let numberMarker: UInt8 = 0x00
    private static let stringMarker: UInt8 = 0x02
    private static let ecmaArrayMarker: UInt8 = 0x08
    private static let objectEnd: [UInt8] = [0x00, 0x00, 0x09]

    static func onMetaData(_ fields: [(name: String, value: Double)]) -> Data {
        var body = Data([stringMarker])
        appendKey("onMetaData", to: &body)
        body.append(ecmaArrayMarker)
        body.append(contentsOf: FlvTagWriter.bigEndianBytes(UInt32(fields.count)))
        for field in fields {
            appendKey(field.name, to: &body)
            body.append(numberMarker)
            body.append(contentsOf: withUnsafeBytes(of: field.value.bitPattern.bigEndian) { Array($0) })
        }
        body.append(contentsOf: objectEnd)
        return body
    }

    /// A string without its type marker, as object keys are written: 16-bit length, then UTF-8.
    private static func appendKey(_ key: String, to body: inout Data) {
        let utf8 = Array(key.utf8)
        body.append(contentsOf: [UInt8(utf8.count >> 8), UInt8(truncatingIfNeeded: utf8.count)])
        body.append(contentsOf: utf8)
    }
}
