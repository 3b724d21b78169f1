/// A failure inside host code, carried as the text the Lua caller will see.
struct HostMessage: Error, CustomStringConvertible, ExpressibleByStringInterpolation {
    let text: String
    init(_ text: String) { self.text = text }
    init(stringLiteral value: String) { text = value }
    var description: String { text }
}
