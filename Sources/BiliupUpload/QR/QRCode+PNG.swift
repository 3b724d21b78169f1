import CPNG

extension QRCode {
    /// The standard's quiet zone, in modules, around the symbol in `png`.
    static let pngQuietZone = 4

    /// An 8-bit grayscale PNG, black modules on white, each module `scale`×`scale` pixels.
    ///
    /// Written with libpng's simplified API, which reports errors in its `png_image` rather than by
    /// longjmp (which Swift cannot survive). For a valid image of this kind it fails only when memory runs
    /// out, so a failure stops the program instead of being thrown.
    public func png(scale: Int = 8) -> [UInt8] {
        precondition(scale >= 1, "PNG scale \(scale) must be at least 1")
        let side = (size + 2 * QRCode.pngQuietZone) * scale
        let pixels = grayPixels(side: side, scale: scale)

        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(side)
        image.height = png_uint_32(side)
        image.format = png_uint_32(PNG_FORMAT_GRAY)
        // libpng frees its working state when a call ends; this frees it should one not have.
        defer { png_image_free(&image) }
        // A first call without memory measures, the second writes: QR images are small, two passes cost little.
        var length: png_alloc_size_t = 0
        var output: [UInt8] = []
        let ok = pixels.withUnsafeBytes { raw in
            guard png_image_write_to_memory(&image, nil, &length, 0, raw.baseAddress, 0, nil) != 0 else { return false }
            output = [UInt8](repeating: 0, count: Int(length))
            return output.withUnsafeMutableBytes { png_image_write_to_memory(&image, $0.baseAddress, &length, 0, raw.baseAddress, 0, nil) } != 0
        }
        guard ok else { preconditionFailure("libpng could not write a \(side)×\(side) QR code: \(imageMessage(image))") }
        return Array(output.prefix(Int(length)))
    }

    /// Rows of `side` bytes, 0 for dark and 255 for light, the quiet zone light.
    private func grayPixels(side: Int, scale: Int) -> [UInt8] {
        let margin = QRCode.pngQuietZone * scale
        let lightBand = [UInt8](repeating: 255, count: side * margin)
        var pixels = lightBand
        pixels.reserveCapacity(side * side)
        for y in 0..<size {
            var row = [UInt8](repeating: 255, count: side)
            for x in 0..<size where self[x, y] {
                let left = margin + x * scale
                row.replaceSubrange(left ..< left + scale, with: repeatElement(0, count: scale))
            }
            for _ in 0..<scale { pixels += row }
        }
        return pixels + lightBand
    }

    private func imageMessage(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
